#include "runtime/cgroup/cgroup_v2.hpp"

#include <fcntl.h>

#include <fmt/format.h>
#include <array>
#include <sstream>

#include "runtime/cgroup/cgroup_dir.hpp"
#include "runtime/cgroup/cgroup_files.hpp"
#include "runtime/cgroup/conversions.hpp"
#include "runtime/cgroup/device_bpf.hpp"
#include "runtime/cgroup/freezer.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::runtime {

namespace {

constexpr std::array<std::string_view, 5> wanted_controllers = {"cpu", "cpuset", "io", "memory", "pids"};

// "+cpu +memory ..." for the wanted controllers the parent offers in cgroup.controllers.
std::string subtree_control_request(const std::filesystem::path& dir) {
  std::istringstream offered(sys::read_file(dir / "cgroup.controllers"));
  std::string request;
  for (std::string controller; offered >> controller;) {
    for (const auto wanted : wanted_controllers) {
      if (controller == wanted) request += (request.empty() ? "+" : " +") + controller;
    }
  }
  return request;
}

void enable_controllers(const std::filesystem::path& dir) {
  const auto request = subtree_control_request(dir);
  if (!request.empty()) write_cgroup_file("subtree_control", dir / "cgroup.subtree_control", request);
}

class CgroupV2 final : public Cgroup {
 public:
  CgroupV2(const std::filesystem::path& root, const std::string& name) {
    // Controllers must be enabled in every ancestor's subtree_control for the files to exist below.
    enable_controllers(root);
    const auto parent = root / cgroup_parent_name;
    ensure_directory(parent);
    enable_controllers(parent);
    dir_ = CgroupDir::create_in_parent(parent, name);
  }

  ~CgroupV2() override = default;  // CgroupDir removes the directory, then the program's fd is closed

  void apply(const ResourceLimits& limits) override {
    const auto& dir = dir_.path();
    if (limits.memory_bytes) write_cgroup_file("memory", dir / "memory.max", std::to_string(*limits.memory_bytes));
    // v2 limits swap alone: memory+swap less the memory limit.
    if (limits.memory_swap_bytes) {
      write_cgroup_file("memory", dir / "memory.swap.max",
                        std::to_string(memory_swap_limit(limits) - *limits.memory_bytes));
    }
    if (limits.cpus) {
      const auto quota = sys::with_context("cgroup cpu", [&] { return cpus_to_quota(*limits.cpus); });
      write_cgroup_file("cpu", dir / "cpu.max", fmt::format("{} {}", quota.quota_us, quota.period_us));
    }
    if (limits.cpu_weight) write_cgroup_file("cpu", dir / "cpu.weight", std::to_string(*limits.cpu_weight));
    if (limits.pids_max) write_cgroup_file("pids", dir / "pids.max", std::to_string(*limits.pids_max));
    if (limits.cpuset_cpus) write_cgroup_file("cpuset", dir / "cpuset.cpus", *limits.cpuset_cpus);
    for (const auto& device : limits.io) write_cgroup_file("io", dir / "io.max", io_max_line(device));
  }

  // The devices "controller" of v2 is a program attached to the directory; nothing to enable in the parents.
  void restrict_devices(std::span<const DeviceRule> allowed) override {
    auto program = DeviceProgram::load(device_filter_program(allowed));  // errors say "cgroup devices: ..."
    program.attach(dir_.path());
    device_program_ = std::move(program);
  }

  [[nodiscard]] std::vector<sys::UniqueFd> open_procs_for_join() const override {
    const auto procs = dir_.path() / "cgroup.procs";
    sys::UniqueFd fd(::open(procs.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) sys::throw_errno("open " + procs.string());
    std::vector<sys::UniqueFd> fds;
    fds.push_back(std::move(fd));
    return fds;
  }

  [[nodiscard]] std::optional<sys::UniqueFd> open_dir_for_clone() const override {
    sys::UniqueFd fd(::open(dir_.path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) sys::throw_errno("open " + dir_.path().string());
    return fd;
  }

  [[nodiscard]] CgroupStats stats() const override { return dir_.owns() ? read_v2_stats(dir_.path()) : CgroupStats{}; }

  [[nodiscard]] std::optional<std::uint64_t> oom_kills() const override {
    if (!dir_.owns()) return std::nullopt;
    return read_cgroup_key(dir_.path() / "memory.events", "oom_kill");
  }

  void freeze(sys::MonotonicNs deadline) override { freeze_cgroup_v2(dir_.path(), deadline); }

  void thaw(sys::MonotonicNs deadline) override { thaw_cgroup_v2(dir_.path(), deadline); }

  // cgroup.kill (or SIGKILL) ends frozen tasks on v2: no thaw needed first. The directory first: its removal
  // detaches the device program, which stays in force while anything runs inside.
  void destroy() override {
    dir_.remove();
    device_program_.reset();
  }

  [[nodiscard]] std::vector<std::filesystem::path> paths() const override {
    if (!dir_.owns()) return {};
    return {dir_.path()};
  }

 private:
  DeviceProgram device_program_;  // declared first, destroyed last: after the directory
  CgroupDir dir_;
};

}  // namespace

CgroupStats read_v2_stats(const std::filesystem::path& dir) {
  CgroupStats stats;
  stats.memory_current_bytes = read_cgroup_number(dir / "memory.current");
  stats.memory_peak_bytes = read_cgroup_number(dir / "memory.peak");  // Linux 5.19+
  stats.oom_kills = read_cgroup_key(dir / "memory.events", "oom_kill");
  if (const auto cpu_stat = read_cgroup_file_if_exists(dir / "cpu.stat")) {
    const auto micros_to_nanos = [](std::optional<std::uint64_t> us) {
      return us ? std::optional<std::uint64_t>(*us * 1000) : std::nullopt;
    };
    stats.cpu_usage_ns = micros_to_nanos(find_keyed_value(*cpu_stat, "usage_usec"));
    stats.nr_periods = find_keyed_value(*cpu_stat, "nr_periods");
    stats.nr_throttled = find_keyed_value(*cpu_stat, "nr_throttled");
    stats.throttled_ns = micros_to_nanos(find_keyed_value(*cpu_stat, "throttled_usec"));
  }
  stats.pids_current = read_cgroup_number(dir / "pids.current");
  return stats;
}

std::unique_ptr<Cgroup> create_cgroup_v2(const std::filesystem::path& root, const std::string& name) {
  return sys::with_context("cgroup " + name, [&] { return std::make_unique<CgroupV2>(root, name); });
}

}  // namespace benchrun::runtime
