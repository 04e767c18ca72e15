// The vm backend: workloads in libvirt guests (vm/), built as the plugin libbenchrun_vm_backend.so.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <deque>
#include <sstream>

#include "harness/backends/vm.hpp"
#include "harness/backends/vm_accelerator.hpp"
#include "harness/backends/vm_container.hpp"
#include "harness/runner.hpp"
#include "harness/suites/limits_vm_devices.hpp"
#include "harness/workload_protocol.hpp"
#include "sys/file_io.hpp"
#include "sys/process_alive.hpp"
#include "vm/boot_files.hpp"
#include "vm/connection.hpp"
#include "vm/emulator_wrapper.hpp"
#include "vm/guest.hpp"
#include "vm/guest_results.hpp"
#include "vm/qemu_process.hpp"
#include "vm/sweep.hpp"
#include "vm/tunables.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

constexpr std::uint64_t default_guest_memory_mib = 256;
// A guest that never reports fails with the console's last lines (a kernel panic's, a crashed benchrun's).
constexpr std::size_t diagnostic_lines = 4;
// `benchrun run --backend vm`: the command succeeded but what it wrote under /results did not all arrive.
constexpr int exit_results_lost = 1;

std::string connection_uri(const std::string& requested, const std::filesystem::path& state_dir) {
  return requested.empty() ? vm::default_embed_uri(state_dir / "libvirt") : requested;
}

class VmInstance final : public Instance {
 public:
  // `watch_limits`: the host's side of the guest's limits is read while it runs (host_limits_view).
  // `results`: the file the guest's /results arrives in, unpacked into `results_dir` once the guest ended.
  // `devices_probe_dir`: non-empty, QEMU's devices cgroup is read and probed once the guest is up, the probe's
  // nodes made in a private folder there (InstanceSpec::probe_host_devices).
  VmInstance(vm::Guest guest, StopSignal& stop, bool watch_limits, std::unique_ptr<vm::ResultsFile> results = nullptr,
             std::filesystem::path results_dir = {}, std::filesystem::path devices_probe_dir = {})
      : guest_(std::move(guest)),
        stop_(stop),
        results_(std::move(results)),
        results_dir_(std::move(results_dir)),
        devices_probe_dir_(std::move(devices_probe_dir)) {
    if (watch_limits) watch_ = guest_.watch_tunables();
  }

  std::optional<sys::ConsoleLine> next_line(sys::MonotonicNs deadline) override {
    auto line = guest_.next_line(deadline, stop_.fd());
    if (line) {
      note_protocol(*line);
      // A panic's own line says why; the lines after it (stack, "Rebooting in 1 seconds..") would push it out.
      if (panic_line_.empty() && line->text.find("Kernel panic") != std::string::npos) panic_line_ = line->text;
      recent_lines_.push_back(line->text);
      if (recent_lines_.size() > diagnostic_lines) recent_lines_.pop_front();
    }
    return line;
  }

  InstanceExit wait_exit(sys::MonotonicNs deadline) override {
    // The rest of the console through next_line, so a READY or RESULT still unread is noted.
    while (next_line(deadline)) {
    }
    // A guest has no exit status of its own: the workload's is in its RESULT line.
    const InstanceExit exit{std::nullopt, std::nullopt, false, guest_.wait_exit(deadline, stop_.fd())};
    // QEMU has exited: the results file is complete. What did not arrive whole is said in diagnostics().
    if (results_ && !results_extracted_) {
      results_extracted_ = true;
      const vm::ResultsExtraction extracted = results_->extract_to(results_dir_);
      if (extracted.lost) results_trouble_ = fmt::format("results: {}", *extracted.lost);
    }
    return exit;
  }

  [[nodiscard]] std::vector<std::pair<std::string, sys::MonotonicNs>> phases() const override {
    return guest_.phases();
  }

  InstanceStats stats() override {
    const vm::GuestStats guest = guest_.stats();
    InstanceStats stats;
    stats.cpu_time_ns = guest.cpu_time_ns;
    // QEMU's peak RSS once reaped (the guest has powered off by now); else what was seen while it ran.
    stats.memory_peak_bytes = guest.qemu_max_rss_bytes ? guest.qemu_max_rss_bytes : guest.qemu_pss_bytes;
    return stats;
  }

  // One line (failure reasons are one line): the panic, if there was one, then the console's last lines.
  std::string diagnostics() override {
    std::string text;
    const auto add = [&](const std::string& line) {
      if (!line.empty()) text += (text.empty() ? "console: " : " | ") + line;
    };
    if (std::find(recent_lines_.begin(), recent_lines_.end(), panic_line_) == recent_lines_.end()) add(panic_line_);
    for (const auto& line : recent_lines_) add(line);
    if (!results_trouble_.empty()) text += (text.empty() ? "" : "; ") + results_trouble_;
    return text;
  }

  std::vector<std::pair<std::string, double>> backend_metrics() override { return guest_container_metrics_; }

  std::map<std::string, double> host_limits_view() override {
    std::map<std::string, double> view = devices_view_;
    if (!watch_) return view;
    watch_->stop();
    view.merge(watch_->view());
    return view;
  }

  // A guest freezes as a whole: libvirt pauses its vCPUs (virDomainSuspend), its memory and devices stay. Any
  // guest can: InstanceSpec::freezable asks nothing more of it. destroy() removes a paused guest as a running one.
  void freeze(sys::MonotonicNs deadline) override { guest_.suspend(deadline); }
  void thaw(sys::MonotonicNs deadline) override { guest_.resume(deadline); }

  std::map<std::string, double> host_view_now() override {
    std::map<std::string, double> view;
    const vm::DomainRunState state = guest_.run_state();
    if (state.state != 0) {
      view[vm::view_key::domain_state] = state.state;
      view[vm::view_key::domain_state_reason] = state.reason;
    }
    if (const auto pid = guest_.qemu_pid()) {
      if (const auto times = vm::read_qemu_thread_times(*pid)) vm::add_thread_times(*times, view);
    }
    return view;
  }

  void destroy() override {
    if (watch_) watch_->stop();
    guest_.destroy();
  }

 private:
  // The guest's ready and result phases are the arrivals of the first READY and RESULT lines. At RESULT
  // the stats are sampled, because the guest powers off right after and takes its live figures along.
  void note_protocol(const sys::ConsoleLine& line) {
    if (!seen_ready_ && is_ready_line(line.text)) {
      seen_ready_ = true;
      guest_.mark_phase("ready", line.at);
      // libvirt's read-back once while the workload surely runs: the read at RESULT races the guest's power-off
      // (virDomainGetSchedulerParameters then fails now and then) and keeps these where it reads nothing.
      if (watch_) watch_->read_now();
      // The guest is up and runs its workload: QEMU's devices cgroup is the one it runs in.
      if (!devices_probe_dir_.empty()) {
        if (const auto pid = guest_.qemu_pid()) devices_view_ = read_vm_devices_view(*pid, devices_probe_dir_);
      }
    }
    if (!seen_result_ && is_result_line(line.text)) {
      seen_result_ = true;
      guest_.mark_phase("result", line.at);
      guest_.stats();
      // The guest still runs: libvirt's read-back and the vCPU cgroups' counters, final for the workload.
      if (watch_) watch_->read_now();
    }
    // vm+container: the inner `benchrun run --phases-fd` reports its container's phases on the guest's clock.
    if (is_phases_line(line.text)) guest_container_metrics_ = guest_container_metrics(parse_phases_line(line.text));
  }

  vm::Guest guest_;
  StopSignal& stop_;
  std::deque<std::string> recent_lines_;
  std::string panic_line_;
  std::vector<std::pair<std::string, double>> guest_container_metrics_;
  std::unique_ptr<vm::TunablesWatch> watch_;  // after the guest: stopped before it goes
  bool seen_ready_ = false;
  bool seen_result_ = false;
  std::unique_ptr<vm::ResultsFile> results_;
  std::filesystem::path results_dir_;
  std::filesystem::path devices_probe_dir_;
  std::map<std::string, double> devices_view_;
  bool results_extracted_ = false;
  std::string results_trouble_;
};

// QEMU is daemonized by libvirt (capability probes on open included); as its subreaper benchrun reaps it
// at once instead of waiting for a lazy PID 1 (see vm/qemu_process.hpp). So: subreaper first, then open.
vm::Connection open_as_subreaper(const std::string& uri, vm::EmbedCgroups cgroups = vm::EmbedCgroups::off) {
  vm::become_child_subreaper();
  return vm::Connection::open(uri, cgroups);
}

AcceleratorContext accelerator_context(const VmBackendOptions& options, const std::filesystem::path& run_state_dir) {
  return {options.accel, options.image.dir(), run_state_dir, kvm_probe_cache_file(options.state_dir),
          instance_name(options.run_id, "kvm-probe")};
}

// The run's folder under the state dir (boot file copies, console fifos, the KVM probe's files): made when
// constructed, removed with everything in it when destroyed, also when a constructor throws after it.
class RunStateDir {
 public:
  explicit RunStateDir(std::filesystem::path path) : path_(std::move(path)) {
    std::filesystem::create_directories(path_);
  }
  ~RunStateDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  RunStateDir(const RunStateDir&) = delete;
  RunStateDir& operator=(const RunStateDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

// The embedded driver's cgroups (EmbedCgroups::on) live under a /machine partition libvirt makes in each
// hierarchy and never removes, while each guest's own cgroup goes with the guest. This removes the partitions
// that were not there before the connection opened, once it closed (rmdir: only empty ones go).
class MachinePartitions {
 public:
  MachinePartitions(bool watched, const std::filesystem::path& state_dir) {
    if (!watched) return;
    std::error_code ignored;
    for (const auto& hierarchy : std::filesystem::directory_iterator("/sys/fs/cgroup", ignored)) {
      const auto partition = hierarchy.path() / "machine";
      if (!std::filesystem::exists(partition, ignored)) made_.push_back(partition);
    }
    if (made_.empty()) return;
    // Written down for the sweep of a run that kills this one (SIGKILL leaves no destructor to run).
    std::filesystem::create_directories(state_dir, ignored);
    marker_ = state_dir /
              fmt::format("{}{}.{}", machine_partitions_marker, ::getpid(), reinterpret_cast<std::uintptr_t>(this));
    std::string lines;
    for (const auto& partition : made_) lines += partition.string() + "\n";
    sys::write_file_new(marker_, lines);
  }
  ~MachinePartitions() {
    for (const auto& partition : made_) ::rmdir(partition.c_str());
    std::error_code ignored;
    if (!marker_.empty()) std::filesystem::remove(marker_, ignored);
  }
  MachinePartitions(const MachinePartitions&) = delete;
  MachinePartitions& operator=(const MachinePartitions&) = delete;

  // Removes the partitions a killed run made and listed (after its guests' cgroups went: rmdir only takes an
  // empty one), and its list once none is left.
  static void sweep_dead(const std::filesystem::path& state_dir) {
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(state_dir, ignored)) {
      const std::string name = entry.path().filename().string();
      if (!name.starts_with(machine_partitions_marker)) continue;
      pid_t owner = 0;
      const std::string_view digits = std::string_view(name).substr(std::string_view(machine_partitions_marker).size());
      std::from_chars(digits.data(), digits.data() + digits.size(), owner);
      if (owner <= 0 || sys::process_alive(owner)) continue;
      std::string listed;
      try {
        listed = sys::read_file(entry.path());
      } catch (const sys::Error&) {
        continue;  // another sweep took it first
      }
      bool all_gone = true;
      std::istringstream lines(listed);
      for (std::string partition; std::getline(lines, partition);) {
        if (::rmdir(partition.c_str()) != 0 && errno != ENOENT) all_gone = false;
      }
      if (all_gone) std::filesystem::remove(entry.path(), ignored);
    }
  }

 private:
  static constexpr const char* machine_partitions_marker = "machine-partitions.";
  std::vector<std::filesystem::path> made_;
  std::filesystem::path marker_;
};

// The embedded driver cannot autodestroy guests: a killed run's QEMUs are found and removed on open.
vm::Connection open_and_sweep(const VmBackendOptions& options) {
  vm::EmbedCgroups cgroups = options.guest_limits ? vm::EmbedCgroups::on : vm::EmbedCgroups::off;
  // vm+container judges devices inside its guest: only plain guests get the devices controller.
  if (options.guest_limits && options.guest_devices_cgroup && !options.nested_container)
    cgroups = vm::EmbedCgroups::on_with_devices;
  if (options.guest_without_cgroups && !options.nested_container) cgroups = vm::EmbedCgroups::off;
  vm::Connection connection = open_as_subreaper(connection_uri(options.libvirt_uri, options.state_dir), cgroups);
  vm::sweep_leftovers(connection, "benchrun-", options.state_dir / "runs");
  MachinePartitions::sweep_dead(options.state_dir);
  return connection;
}

// What every guest of the backend adds to benchrun's kernel parameters, as the report shows it.
std::string added_kernel_parameters(const VmBackendOptions& options) {
  std::vector<std::string> parameters = vm::guest_parameters(false, options.guest_cgroup);
  parameters.insert(parameters.end(), options.guest_kernel_args.begin(), options.guest_kernel_args.end());
  return fmt::format("{}", fmt::join(parameters, " "));
}

// The guest's limits as libvirt tunables (vm/tunables.hpp): a fractional --cpus as a per-vCPU quota, a cpuset
// as the pinning of every vCPU and of QEMU's other threads, read rates as every disk's <iotune>, a CPU weight as
// the domain's shares (as given: libvirt writes them to cpu.weight on v2, to cpu.shares on v1, where only their
// proportion to a sibling's matters).
vm::DomainTunables guest_tunables(const reports::Limits& limits, unsigned vcpus) {
  vm::DomainTunables tunables;
  if (limits.cpus) tunables.vcpu_quota_us = vm::vcpu_quota_for(*limits.cpus, vcpus, tunables.vcpu_period_us);
  tunables.cpuset = limits.cpuset_cpus;
  // Read rates on every disk of the guest (<iotune>; the limits suite's io checks give it one scratch disk).
  tunables.disk_read_bytes_sec = limits.io_read_bps;
  tunables.disk_read_iops_sec = limits.io_read_iops;
  tunables.cpu_shares = limits.cpu_weight;
  return tunables;
}

// vm and vm+container in one run boot different images: each backend stages its boot files in a folder of its
// own (one shared folder had vm guests boot the guest image's 121 MiB initramfs in 256 MiB, and panic), and
// removes only that folder when it goes.
std::string run_folder_name(const VmBackendOptions& options) {
  return options.nested_container ? options.run_id + "-vm-container" : options.run_id;
}

class VmBackend final : public Backend {
 public:
  VmBackend(const VmBackendOptions& options, StopSignal& stop)
      : stop_(stop),
        nested_container_(options.nested_container),
        benchrun_in_guest_(options.nested_container ? benchrun_in_guest(options.image.rootfs(), options.own_executable)
                                                    : std::string()),
        guest_cgroup_(options.guest_cgroup),
        extra_cmdline_(options.guest_kernel_args),
        added_kernel_parameters_(added_kernel_parameters(options)),
        guest_limits_(options.guest_limits),
        watch_guest_limits_(options.watch_guest_limits),
        machine_partitions_(options.guest_limits && options.libvirt_uri.empty(), options.state_dir),
        connection_(open_and_sweep(options)),
        run_state_dir_(options.state_dir / "runs" / run_folder_name(options)) {
    boot_files_ = vm::stage_boot_files(vm::image_boot_files(options.image.dir()), run_state_dir_.path());
    std::error_code ignored;
    initramfs_bytes_ = std::filesystem::file_size(boot_files_.initramfs, ignored);
    // The wrapper's stamp is read from the embedded driver's domain log; other drivers start plain QEMU.
    if (!options.emulator_wrapper.empty() && connection_.embed_root()) {
      emulator_ = vm::stage_emulator_wrapper(options.emulator_wrapper, options.state_dir);
    }
    accelerator_ = choose_guest_accelerator(connection_, accelerator_context(options, run_state_dir_.path()), stop);
  }

  [[nodiscard]] std::string name() const override { return nested_container_ ? "vm+container" : "vm"; }
  [[nodiscard]] reports::BackendKind kind() const override { return reports::BackendKind::vm; }
  [[nodiscard]] std::map<std::string, std::string> details() const override {
    std::map<std::string, std::string> details{
        {"domain_type", std::string(vm::domain_type_of(accelerator_.accelerator))},
        {"accelerator", std::string(vm::to_string(accelerator_.accelerator))},
        {"accelerator_reason", accelerator_.reason},
        {"libvirt_uri", connection_.uri()},
        {"libvirt_version", connection_.libvirt_version()},
        {"qemu_version", connection_.hypervisor_version()},
        {"machine", "q35"},
        {"console", "serial ttyS0"}};
    if (!added_kernel_parameters_.empty()) details["kernel_parameters"] = added_kernel_parameters_;
    // The guest's initramfs: what it needs to boot, and QEMU's own copy of it (the limits suite's page-cache check).
    if (!nested_container_) details["initramfs_bytes"] = std::to_string(initramfs_bytes_);
    if (nested_container_) {
      details["image"] = std::string(guest_image_name);
      details["nested"] = fmt::format("{} run --backend container, image {}/{}, phases on the guest's clock",
                                      benchrun_in_guest_, nested_images_dir, nested_image_name);
    }
    return details;
  }

  std::unique_ptr<Instance> launch(const InstanceSpec& spec, sys::MonotonicNs /*deadline*/) override {
    vm::GuestConfig config;
    config.name = spec.name;
    config.kernel = boot_files_.kernel;
    config.initramfs = boot_files_.initramfs;
    config.accelerator = accelerator_.accelerator;
    config.emulator = emulator_;
    config.state_dir = run_state_dir_.path();
    config.disk_files.assign(spec.disk_files.begin(), spec.disk_files.end());
    config.cgroup_layout = guest_cgroup_;
    config.extra_cmdline = extra_cmdline_;
    config.extra_cmdline.insert(config.extra_cmdline.end(), spec.guest_kernel_parameters.begin(),
                                spec.guest_kernel_parameters.end());
    config.swap_bytes = spec.guest_swap_bytes;
    if (!spec.guest_tap.empty()) {
      if (spec.network_namespace_path.empty() || spec.guest_address.empty()) {
        throw sys::Error("a guest NIC needs the tap's network namespace and the guest's address");
      }
      config.nic = vm::GuestNic{spec.guest_tap, spec.network_namespace_path, spec.guest_address};
    }
    if (nested_container_) {
      // The limits are the inner container's; the guest is sized to hold them.
      const GuestSize size = nested_guest_size(spec.limits, initramfs_bytes_);
      config.memory_mib = size.memory_mib;
      config.vcpus = size.vcpus;
      // --quiet: the guest's benchinit stays silent, the console carries the inner container's lines.
      // No "--" after it: the kernel ends init's arguments at a second "--" (see nested_container_argv).
      config.workload_argv = {"--quiet"};
      // A suite judged inside the guest runs its own benchrun command (in_guest_suite.hpp).
      std::vector<std::string> inner{benchrun_in_guest_};
      if (spec.nested_benchrun_args.empty()) inner = nested_container_argv(benchrun_in_guest_, spec);
      inner.insert(inner.end(), spec.nested_benchrun_args.begin(), spec.nested_benchrun_args.end());
      config.workload_argv.insert(config.workload_argv.end(), inner.begin(), inner.end());
    } else {
      // A guest's memory limit is its RAM; without one it gets what its image needs to boot.
      const std::uint64_t floor_mib = guest_memory_floor_mib(initramfs_bytes_);
      config.memory_mib = spec.limits.memory_bytes ? (*spec.limits.memory_bytes >> 20) : floor_mib;
      if (config.memory_mib < floor_mib) {
        throw sys::Error(
            fmt::format("guest memory {} MiB: the image's {} MiB initramfs needs at least {} MiB to boot: "
                        "give --memory {}M or more",
                        config.memory_mib, initramfs_bytes_ >> 20, floor_mib, floor_mib));
      }
      config.vcpus = spec.limits.cpus ? static_cast<unsigned>(std::ceil(*spec.limits.cpus)) : 1;
      config.tunables = guest_tunables(spec.limits, config.vcpus);
      if (config.tunables.need_cgroups() && !guest_limits_ && connection_.embed_root()) {
        throw sys::Error(config.tunables.vcpu_quota_us
                             ? fmt::format("guest CPU quota of {} CPUs: this run's embedded libvirt makes no cgroups "
                                           "(give --cpus as a whole number of vCPUs)",
                                           spec.limits.cpus.value_or(0))
                             : fmt::format("guest CPU weight {}: this run's embedded libvirt makes no cgroups "
                                           "(a guest's weight is judged by --suite limits)",
                                           config.tunables.cpu_shares.value_or(0)));
      }
      config.workload_argv = {workload_path(spec)};
      config.workload_argv.insert(config.workload_argv.end(), spec.workload_args.begin(), spec.workload_args.end());
    }
    std::unique_ptr<vm::ResultsFile> results;
    if (!spec.results_dir.empty()) {
      results = std::make_unique<vm::ResultsFile>(run_state_dir_.path() / (spec.name + ".results"));
      config.results_file = results->path();
    }
    return std::make_unique<VmInstance>(vm::Guest::start(connection_, config), stop_, watch_guest_limits_,
                                        std::move(results), spec.results_dir,
                                        spec.probe_host_devices ? run_state_dir_.path() : std::filesystem::path());
  }

 private:
  StopSignal& stop_;
  bool nested_container_;
  std::string benchrun_in_guest_;  // vm+container: benchrun's path inside image "guest"
  std::optional<vm::CgroupLayout> guest_cgroup_;
  std::vector<std::string> extra_cmdline_;  // --guest-kernel-args, after benchrun's own parameters
  std::string added_kernel_parameters_;
  bool guest_limits_;
  bool watch_guest_limits_;
  MachinePartitions machine_partitions_;  // before the connection: cleaned once it closed
  vm::Connection connection_;
  RunStateDir run_state_dir_;  // after the connection: removed once every guest of the run is gone
  vm::BootFiles boot_files_;
  std::uintmax_t initramfs_bytes_ = 0;
  vm::AcceleratorChoice accelerator_;
  std::filesystem::path emulator_;
};

// What `benchrun run --backend vm` shows of the guest's console: the lines between benchinit's READY and
// RESULT are the command's output (stdout and stderr share ttyS0) and go to stdout; the kernel's and
// benchinit's own lines before and after go to stderr with --verbose, else only into the diagnostics of a
// failure. RESULT carries the command's exit status.
class GuestCommandConsole {
 public:
  explicit GuestCommandConsole(bool verbose) : verbose_(verbose) {}

  void take(const sys::ConsoleLine& line) {
    if (!ready_ && is_ready_line(line.text)) {
      ready_ = true;
      aside(line.text);
      return;
    }
    if (ready_ && !result_ && is_result_line(line.text)) {
      result_ = parse_result_line(line.text);
      aside(line.text);
      return;
    }
    if (ready_ && !result_) {
      std::fwrite(line.text.data(), 1, line.text.size(), stdout);
      std::fputc('\n', stdout);
      std::fflush(stdout);
      return;
    }
    aside(line.text);
  }

  [[nodiscard]] const std::optional<reports::WorkloadResult>& result() const { return result_; }

  // The console's last lines, for a failure message.
  [[nodiscard]] std::string tail() const {
    std::string text;
    for (const auto& line : recent_) text += "\n  " + line;
    return text.empty() ? " (nothing on the console)" : text;
  }

 private:
  void aside(const std::string& text) {
    if (verbose_) fmt::print(stderr, "{}\n", text);
    recent_.push_back(text);
    if (recent_.size() > console_tail_lines) recent_.pop_front();
  }

  static constexpr std::size_t console_tail_lines = 20;
  bool verbose_;
  bool ready_ = false;
  std::optional<reports::WorkloadResult> result_;
  std::deque<std::string> recent_;
};

int run_command(const VmRunOptions& options, StopSignal& stop) {
  // Declared in teardown order, last first: the guest goes before its results file and state dir, the
  // connection (and its event loop) last.
  vm::Connection connection = open_and_sweep(options.backend);
  const RunStateDir run_state_dir(options.backend.state_dir / "runs" / options.backend.run_id);
  const vm::BootFiles boot_files =
      vm::stage_boot_files(vm::image_boot_files(options.backend.image.dir()), run_state_dir.path());
  const vm::AcceleratorChoice accelerator =
      choose_guest_accelerator(connection, accelerator_context(options.backend, run_state_dir.path()), stop);

  vm::GuestConfig config;
  config.name = instance_name(options.backend.run_id, 0);
  config.kernel = boot_files.kernel;
  config.initramfs = boot_files.initramfs;
  config.accelerator = accelerator.accelerator;
  config.state_dir = run_state_dir.path();
  config.memory_mib =
      options.memory_bytes ? std::max<std::uint64_t>(*options.memory_bytes >> 20, 128) : default_guest_memory_mib;
  config.vcpus = options.cpus ? static_cast<unsigned>(std::ceil(*options.cpus)) : 1;
  config.workload_argv = options.argv;
  config.cgroup_layout = options.cgroup_layout;
  std::optional<vm::ResultsFile> results;
  if (!options.results_dir.empty()) {
    results.emplace(run_state_dir.path() / (config.name + ".results"));
    config.results_file = results->path();
  }
  const sys::MonotonicNs deadline =
      options.timeout ? sys::monotonic_now() + std::chrono::nanoseconds(*options.timeout).count() : sys::no_deadline;

  GuestCommandConsole console(options.verbose);
  vm::Guest guest = vm::Guest::start(connection, config);
  try {
    while (const auto line = guest.next_line(deadline, stop.fd())) console.take(*line);
    guest.wait_exit(deadline, stop.fd());
  } catch (const sys::Interrupted&) {
    guest.destroy();
    return 128 + stop.signal().value_or(SIGINT);
  } catch (const sys::Timeout&) {
    guest.destroy();
    throw sys::Error(fmt::format("guest {}: still running after --timeout {} s (destroyed); its console ended:{}",
                                 config.name, options.timeout->count(), console.tail()));
  }
  guest.destroy();

  const auto& result = console.result();
  if (!result) {
    throw sys::Error(
        fmt::format("guest {}: powered off without reporting the command's exit status (see its "
                    "console; run with --verbose):{}",
                    config.name, console.tail()));
  }
  const int status = result->exit_code ? *result->exit_code : 128 + result->signal.value_or(0);
  if (results) {
    const vm::ResultsExtraction extracted = results->extract_to(options.results_dir);
    for (const auto& refused : extracted.refused) {
      fmt::print(stderr, "benchrun: results: not unpacked: {}\n", refused);
    }
    if (extracted.lost) {
      fmt::print(stderr, "benchrun: results in {} are incomplete: {}; the guest's console ended:{}\n",
                 options.results_dir.string(), *extracted.lost, console.tail());
      return status != 0 ? status : exit_results_lost;
    }
  }
  return status;
}

std::unique_ptr<Backend> make_backend(const VmBackendOptions& options, StopSignal& stop) {
  return std::make_unique<VmBackend>(options, stop);
}

DoctorCheck check_connection(const std::string& libvirt_uri, const std::filesystem::path& state_dir) {
  const std::string uri = connection_uri(libvirt_uri, state_dir);
  try {
    const auto connection = open_as_subreaper(uri);
    return {"libvirt", true,
            fmt::format("{} (libvirt {}, QEMU {}, domain type {})", uri, connection.libvirt_version(),
                        connection.hypervisor_version(), connection.domain_type()),
            ""};
  } catch (const std::exception& error) {
    return {"libvirt", false, error.what(), "scripts/setup.sh installs libvirt's QEMU driver; check --libvirt-uri"};
  }
}

DoctorCheck check_accelerator(const VmBackendOptions& options, StopSignal& stop) {
  const bool required = options.accel == vm::AcceleratorRequest::kvm;
  try {
    auto connection = open_as_subreaper(connection_uri(options.libvirt_uri, options.state_dir));
    const RunStateDir run_state_dir(options.state_dir / "runs" / options.run_id);
    const auto choice = choose_guest_accelerator(connection, accelerator_context(options, run_state_dir.path()), stop);
    const bool kvm = choice.accelerator == vm::Accelerator::kvm;
    return {
        "accelerator", kvm,
        fmt::format("{}: {}", kvm ? "guests run with KVM" : "guests run under TCG emulation (slower)", choice.reason),
        "enable hardware virtualisation (or nested virtualisation) for this machine", false};
  } catch (const std::exception& error) {
    return {"accelerator", false, error.what(), "use --accel auto or --accel tcg", required};
  }
}

int sweep_leftovers(const std::string& libvirt_uri, const std::filesystem::path& state_dir) {
  auto connection = open_as_subreaper(connection_uri(libvirt_uri, state_dir));
  const auto removed = vm::sweep_leftovers(connection, "benchrun-", state_dir / "runs");
  MachinePartitions::sweep_dead(state_dir);
  std::error_code ignored;
  std::filesystem::remove_all(state_dir / "runs", ignored);
  return static_cast<int>(removed.size());
}

constexpr VmPluginApi plugin_api{vm_plugin_abi,      &make_backend,    &check_connection,
                                 &check_accelerator, &sweep_leftovers, &run_command};

}  // namespace
}  // namespace benchrun::harness

extern "C" const benchrun::harness::VmPluginApi* benchrun_vm_plugin() { return &benchrun::harness::plugin_api; }
