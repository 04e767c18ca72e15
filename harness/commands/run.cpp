// benchrun run: one command in one instance, by hand. The lean path: no environment probe, no libvirt,
// nothing the instance does not need, because `benchrun run` itself is what gets compared with `crun run`.
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "harness/backends/container.hpp"
#include "harness/backends/vm.hpp"
#include "harness/backends/vm_container.hpp"
#include "harness/commands/commands.hpp"
#include "harness/options.hpp"
#include "harness/runner.hpp"
#include "harness/workload_protocol.hpp"
#include "runtime/container.hpp"
#include "runtime/sweep.hpp"
#include "sys/file_io.hpp"
#include "vm/kernel_cmdline.hpp"

namespace benchrun::harness {
namespace {

// A bare name runs the image's workload or busybox applet of that name, as PATH would find it.
std::string resolve_in_image(const std::filesystem::path& rootfs, const std::string& command) {
  if (command.find('/') != std::string::npos) return command;
  for (const char* dir : {"/bench/bin/", "/bin/", "/sbin/"}) {
    if (std::filesystem::exists(rootfs / (std::string(dir + 1) + command))) return dir + command;
  }
  throw UsageError(
      fmt::format("command '{}' is not in image {} (looked in /bench/bin, /bin, /sbin)", command, rootfs.string()));
}

// Every instance has a state folder while it exists, so an empty state root means nothing to sweep:
// one readdir instead of a full sweep on the lean path.
void sweep_if_something_was_left() {
  std::error_code ignored;
  if (std::filesystem::directory_iterator(runtime::default_state_root, ignored) !=
      std::filesystem::directory_iterator()) {
    runtime::sweep_leftovers();
  }
}

// The instance's exit status, or nullopt when a stop signal came first. No deadline: a command run by
// hand runs as long as it runs.
std::optional<runtime::ExitStatus> wait_for_exit(runtime::Container& container, StopSignal& stop) {
  try {
    return container.wait(sys::no_deadline, stop.fd());
  } catch (const sys::Interrupted&) {
    return std::nullopt;
  }
}

// ms since start() entered, on this machine's CLOCK_MONOTONIC; a phase never stamped is left out.
void write_phases(int fd, const runtime::PhaseTimes& times) {
  std::vector<std::pair<std::string, double>> phases;
  for (const auto& [name, at] : {std::pair{"prepared", times.prepared}, std::pair{"cloned", times.cloned},
                                 std::pair{"cgroup_ready", times.cgroup_ready},
                                 std::pair{"mounts_done", times.mounts_done}, std::pair{"exec", times.exec}}) {
    if (at != 0 && at >= times.start) phases.emplace_back(name, static_cast<double>(at - times.start) / 1e6);
  }
  sys::write_all(fd, format_phases_line(phases) + "\n", "--phases-fd");
}

int run_in_container(const RunCommandOptions& options, StopSignal& stop) {
  const auto rootfs = options.image.rootfs();
  if (!std::filesystem::exists(rootfs / "sbin/benchinit")) {
    throw UsageError(fmt::format("image not found at {}: build it with scripts/build-image.sh", rootfs.string()));
  }
  sweep_if_something_was_left();
  InstanceSpec spec = options.instance;
  spec.name = instance_name(make_run_id(), 0);
  spec.workload = resolve_in_image(rootfs, spec.workload);
  // The user sees what the workload writes, as `crun run` shows it: benchinit keeps its protocol lines
  // off the workload's stdout (on stderr with --verbose), and the workload writes straight to our own
  // fds 0-2 (same bytes, same order, a tty stays a tty) with nothing of ours copying in between.
  const runtime::ContainerConfig config = container_config(
      rootfs, spec,
      options.verbose ? std::vector<std::string>{"--protocol-fd", "2"} : std::vector<std::string>{"--quiet"});

  runtime::Container container = runtime::Container::start(config);
  const std::optional<runtime::ExitStatus> status = wait_for_exit(container, stop);
  container.destroy();
  if (options.phases_fd) write_phases(*options.phases_fd, container.phases());
  runtime::remove_unused_cgroup_parents();
  if (!status) return 128 + stop.signal().value_or(SIGINT);
  if (status->oom_killed) {
    fmt::print(stderr, "benchrun: OOM-killed: memory limit {}\n",
               spec.limits.memory_bytes ? format_size(*spec.limits.memory_bytes) : std::string("(none set)"));
  }
  return status->shell_code();
}

// --results DIR is made only once there are results (an interrupted run leaves nothing), so it is checked
// up front: a folder we may write into, or a new one whose nearest existing parent is.
void check_results_dir(const std::filesystem::path& dir) {
  std::filesystem::path existing = std::filesystem::absolute(dir);
  while (!std::filesystem::exists(existing) && existing.has_parent_path() && existing != existing.parent_path()) {
    existing = existing.parent_path();
  }
  if (!std::filesystem::is_directory(existing) || ::access(existing.c_str(), W_OK) != 0) {
    throw UsageError(fmt::format("--results {}: {} is no folder benchrun may write into: choose a writable folder",
                                 dir.string(), existing.string()));
  }
}

// The results port is a virtio-serial device: the guest kernel needs virtio_pci and virtio_console, which
// the cloud kernel has as modules, loaded by benchinit from the image's /etc/benchrun/modules.
void check_image_sends_results(const ImageChoice& image) {
  std::error_code ignored;
  const auto modules = image.rootfs() / "etc/benchrun/modules";
  const std::string listed = std::filesystem::exists(modules, ignored) ? sys::read_file(modules) : std::string();
  for (const char* module : {"/virtio_pci.ko", "/virtio_console.ko"}) {
    if (listed.find(module) == std::string::npos) {
      throw UsageError(fmt::format(
          "--results: image {} cannot send results (no {} in {}): build it with scripts/build-image.sh --modules "
          "virtio_pci,virtio_console",
          image.name, module + 1, modules.string()));
    }
  }
}

// The guest's memory: --memory, else enough for the image (guest_memory_floor_mib: the one rule for guests).
std::uint64_t guest_memory(const RunCommandOptions& options) {
  constexpr std::uint64_t mib = std::uint64_t{1} << 20;
  std::error_code ignored;
  const auto initramfs = std::filesystem::file_size(options.image.dir() / "initramfs.cpio", ignored);
  const std::uint64_t needed =
      guest_memory_floor_mib(initramfs == static_cast<std::uintmax_t>(-1) ? 0 : std::uint64_t{initramfs}) * mib;
  const auto& asked = options.instance.limits.memory_bytes;
  if (!asked) return needed;
  if (*asked < needed) {
    throw UsageError(fmt::format("--memory {}: image {} needs at least {} to boot (its initramfs is {}): give more",
                                 format_size(*asked), options.image.name, format_size(needed), format_size(initramfs)));
  }
  return *asked;
}

// One guest of the image: the plugin (and libvirt with it) is loaded here only, never on the container path.
int run_in_guest(const RunCommandOptions& options, StopSignal& stop) {
  const auto rootfs = options.image.rootfs();
  if (!std::filesystem::exists(options.image.dir() / "vmlinuz")) {
    throw UsageError(
        fmt::format("image not found at {}: build it with scripts/build-image.sh", options.image.dir().string()));
  }
  VmRunOptions run;
  run.backend.image = options.image;
  run.backend.run_id = make_run_id();
  run.argv = {resolve_in_image(rootfs, options.instance.workload)};
  run.argv.insert(run.argv.end(), options.instance.workload_args.begin(), options.instance.workload_args.end());
  run.memory_bytes = guest_memory(options);
  run.cpus = options.instance.limits.cpus;
  run.cgroup_layout = options.guest_cgroup;
  run.results_dir = options.results_dir;
  run.timeout = options.timeout;
  run.verbose = options.verbose;
  // The command reaches the guest on the kernel command line: what the kernel cannot carry is bad input.
  try {
    (void)vm::kernel_cmdline(run.argv, vm::guest_parameters(!run.results_dir.empty(), run.cgroup_layout));
  } catch (const sys::Error& error) {
    throw UsageError(fmt::format("{}: pass plain words, or put the command in a script in the image", error.what()));
  }
  if (!run.results_dir.empty()) {
    check_results_dir(run.results_dir);
    check_image_sends_results(options.image);
  }
  try {
    return run_in_vm(run, stop);
  } catch (const sys::Interrupted&) {
    return 128 + stop.signal().value_or(SIGINT);
  }
}

}  // namespace

int run_one(const RunCommandOptions& options, StopSignal& stop) {
  if (options.backend == "vm") return run_in_guest(options, stop);
  return run_in_container(options, stop);
}

}  // namespace benchrun::harness
