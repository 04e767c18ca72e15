#include "harness/backends/vm_container.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "harness/options.hpp"
#include "sys/error.hpp"

namespace benchrun::harness {
namespace {

// What the guest needs besides the container and its initramfs: kernel, page tables, benchinit, benchrun.
constexpr std::uint64_t guest_base_mib = 128;
// The initramfs is unpacked into the rootfs tmpfs, whose size limit is half the RAM the kernel counts, and
// the kernel does not count the initramfs's own pages until it has unpacked them: the limit must hold the
// unpacked files, so RAM >= 3x the initramfs. Measured here: a 121 MiB initramfs in 370 MiB failed with
// "Initramfs unpacking failed: write error"; in 512 MiB it booted.
constexpr std::uint64_t initramfs_factor = 3;
constexpr std::uint64_t min_guest_memory_mib = 256;
constexpr std::uint64_t mib = 1U << 20U;

}  // namespace

std::string benchrun_in_guest(const std::filesystem::path& guest_rootfs, const std::filesystem::path& own_executable) {
  std::vector<std::filesystem::path> candidates{"/usr/bin/benchrun", "/usr/local/bin/benchrun"};
  if (own_executable.is_absolute()) candidates.push_back(own_executable);
  const std::filesystem::path nested_init = guest_rootfs / std::filesystem::path(nested_images_dir).relative_path() /
                                            nested_image_name / "rootfs/sbin/benchinit";
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(nested_init, ignored)) {
    throw sys::Error(fmt::format(
        "vm+container: image {} holds no nested image at {}/{}: build the guest image (cmake --build build/release "
        "--target benchrun_guest_image)",
        guest_rootfs.parent_path().string(), nested_images_dir, nested_image_name));
  }
  for (const auto& candidate : candidates) {
    if (std::filesystem::is_regular_file(guest_rootfs / candidate.relative_path(), ignored)) return candidate.string();
  }
  throw sys::Error(
      fmt::format("vm+container: image {} holds no benchrun (looked for /usr/bin/benchrun, /usr/local/bin/benchrun "
                  "and {}): build the guest image (cmake --build build/release --target benchrun_guest_image)",
                  guest_rootfs.parent_path().string(), own_executable.string()));
}

std::vector<std::string> nested_container_argv(const std::string& benchrun_path, const InstanceSpec& spec) {
  std::vector<std::string> argv{benchrun_path,
                                "run",
                                "--backend",
                                "container",
                                "--verbose",
                                "--phases-fd",
                                "2",
                                "--images-dir",
                                std::string(nested_images_dir),
                                "--image",
                                std::string(nested_image_name)};
  const reports::Limits& limits = spec.limits;
  if (limits.memory_bytes) argv.insert(argv.end(), {"--memory", std::to_string(*limits.memory_bytes)});
  if (limits.cpus) argv.insert(argv.end(), {"--cpus", fmt::format("{}", *limits.cpus)});
  if (limits.pids_max) argv.insert(argv.end(), {"--pids", std::to_string(*limits.pids_max)});
  if (limits.cpuset_cpus) argv.insert(argv.end(), {"--cpuset", *limits.cpuset_cpus});
  if (!spec.hostname.empty()) argv.insert(argv.end(), {"--hostname", spec.hostname});
  if (!spec.network_namespace) argv.emplace_back("--no-network-namespace");
  if (spec.user_namespace) argv.emplace_back("--user-namespace");
  if (!spec.seccomp) argv.emplace_back("--no-seccomp");
  // No "--" before the command: the kernel ends init's arguments at a second "--" (parse_args), so the
  // command is the first positional word and its arguments may not look like options.
  for (const auto& arg : spec.workload_args) {
    if (arg.starts_with('-')) {
      throw sys::Error(
          fmt::format("vm+container: workload argument '{}' starts with '-', which the inner benchrun would take as "
                      "its own option (the guest kernel passes init no '--'): give the workload arguments without "
                      "a leading '-'",
                      arg));
    }
  }
  argv.push_back(workload_path(spec));
  argv.insert(argv.end(), spec.workload_args.begin(), spec.workload_args.end());
  return argv;
}

unsigned highest_cpu_of(std::string_view cpuset) {
  unsigned highest = 0;
  bool any = false;
  std::size_t start = 0;
  while (start <= cpuset.size()) {
    const std::size_t end = std::min(cpuset.find_first_of(",-", start), cpuset.size());
    const std::string_view number = cpuset.substr(start, end - start);
    if (number.empty() || !std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        number.size() > 4) {
      throw sys::Error(fmt::format("cpuset '{}': give CPU numbers and ranges, e.g. 0-1,3", cpuset));
    }
    highest = std::max(highest, static_cast<unsigned>(std::stoul(std::string(number))));
    any = true;
    start = end + 1;
  }
  if (!any) throw sys::Error(fmt::format("cpuset '{}' names no CPU", cpuset));
  return highest;
}

std::uint64_t guest_memory_floor_mib(std::uint64_t initramfs_bytes) {
  const std::uint64_t initramfs_mib = (initramfs_bytes + mib - 1) / mib;
  return std::max(min_guest_memory_mib, guest_base_mib + initramfs_factor * initramfs_mib);
}

GuestSize nested_guest_size(const reports::Limits& limits, std::uint64_t initramfs_bytes) {
  GuestSize size;
  const std::uint64_t limit_mib = limits.memory_bytes ? (*limits.memory_bytes + mib - 1) / mib : 0;
  size.memory_mib = guest_memory_floor_mib(initramfs_bytes) + limit_mib;
  if (limits.cpus) size.vcpus = std::max(size.vcpus, static_cast<unsigned>(std::ceil(*limits.cpus)));
  if (limits.cpuset_cpus) size.vcpus = std::max(size.vcpus, highest_cpu_of(*limits.cpuset_cpus) + 1);
  return size;
}

std::string guest_container_metric(std::string_view phase) { return fmt::format("guest_container_{}_ms", phase); }

std::vector<std::pair<std::string, double>> guest_container_metrics(
    const std::vector<std::pair<std::string, double>>& phases) {
  std::vector<std::pair<std::string, double>> metrics;
  for (const auto& [phase, ms] : phases) {
    // Only the phases the metric table has rows for (a newer guest may write more).
    if (std::find(guest_container_phases.begin(), guest_container_phases.end(), phase) != guest_container_phases.end())
      metrics.emplace_back(guest_container_metric(phase), ms);
  }
  return metrics;
}

}  // namespace benchrun::harness
