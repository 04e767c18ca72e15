#include "harness/suites/limits_vm_page_cache.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <csignal>

#include "harness/backends/vm_container.hpp"
#include "harness/suites/limits_vm_io.hpp"
#include "harness/workload_protocol.hpp"
#include "runtime/loop_device.hpp"
#include "sys/error.hpp"
#include "sys/unique_fd.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

namespace fs = std::filesystem;
namespace key = vm::view_key;
using reports::Verdict;

constexpr std::uint64_t mib = 1ULL << 20;
constexpr const char* hold_ms = "500";  // the limits_io.cpp page-cache check's: QEMU is watched with the pages held

std::optional<double> host(const VmObservation& seen, const char* name) { return vm_host_figure(seen, name); }
std::optional<double> metric(const VmObservation& seen, const std::string& name) {
  return vm_workload_metric(seen, name);
}

void conclude(Verdict& verdict, const std::vector<std::string>& failures, std::string pass_reason,
              const VmObservation& seen) {
  verdict.pass = failures.empty();
  verdict.why = verdict.pass ? std::move(pass_reason)
                             : fmt::format("{}{}", fmt::join(failures, "; "),
                                           seen.limit_applied ? "" : " (ran without its limit: --limits-off)");
}

// --- The scratch disk ---------------------------------------------------------------------------------------

bool process_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// A sparse raw file for the guest's virtio disk, in a folder named as the loop devices' and the I/O checks' disks
// are (runtime::loop_folder: a leftover of a killed benchrun is known by its pid and removed by the next run's
// checks). Sparse: the writer only writes it, so its holes never need the pattern the read checks' disk is written
// with, and the host's disk holds only what QEMU wrote. Removed with the folder.
class SparseGuestDisk {
 public:
  SparseGuestDisk(const fs::path& root, const std::string& instance, std::uint64_t bytes) : root_(root) {
    made_root_ = fs::create_directories(root);
    try {
      refuse_unusable(root);
      remove_dead_folders();
      folder_ = runtime::loop_folder(root, ::getpid(), instance);
      fs::create_directories(folder_);
      const sys::UniqueFd fd(::open(file().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      if (!fd) sys::throw_errno(fmt::format("create {}", file().string()));
      if (::ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0)
        sys::throw_errno(fmt::format("size {} to {} MiB", file().string(), bytes / mib));
    } catch (...) {
      release();  // a destructor does not run for a constructor that threw
      throw;
    }
  }
  SparseGuestDisk(const SparseGuestDisk&) = delete;
  SparseGuestDisk& operator=(const SparseGuestDisk&) = delete;
  ~SparseGuestDisk() { release(); }
  [[nodiscard]] fs::path file() const { return folder_ / "disk.img"; }

 private:
  // A tmpfs is the host's RAM (and refuses QEMU's O_DIRECT); QEMU runs as libvirt-qemu and must enter every
  // folder down to the disk. Both said before anything is made.
  static void refuse_unusable(const fs::path& root) {
    struct statfs info {};
    if (::statfs(root.c_str(), &info) != 0) throw sys::SystemError(errno, fmt::format("statfs {}", root.string()));
    if (info.f_type == TMPFS_MAGIC || info.f_type == RAMFS_MAGIC) {
      throw sys::Error(
          fmt::format("--scratch-dir {} is a tmpfs: a guest's page-cache check needs the host's disk (e.g. "
                      "--scratch-dir /var/tmp/benchrun-overhead)",
                      root.string()));
    }
    for (fs::path folder = fs::absolute(root); !folder.empty(); folder = folder.parent_path()) {
      struct stat status {};
      if (::stat(folder.c_str(), &status) != 0) throw sys::SystemError(errno, fmt::format("stat {}", folder.string()));
      if ((status.st_mode & S_IXOTH) == 0) {
        throw sys::Error(fmt::format(
            "--scratch-dir {}: folder {} (mode {:o}) keeps QEMU, which runs as libvirt-qemu, from the guest's "
            "disk: give a folder every user may enter (e.g. --scratch-dir /var/tmp/benchrun-overhead) or chmod o+x {}",
            root.string(), folder.string(), status.st_mode & 07777, folder.string()));
      }
      if (folder == folder.root_path()) break;
    }
  }
  void remove_dead_folders() const {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(root_, error)) {
      const auto owner = runtime::loop_folder_owner(entry.path() / "disk.img");
      if (owner && !process_alive(*owner)) {
        std::error_code ignored;
        fs::remove_all(entry.path(), ignored);
      }
    }
  }
  void release() noexcept {
    std::error_code ignored;
    if (!folder_.empty()) fs::remove_all(folder_, ignored);
    if (made_root_) ::rmdir(root_.c_str());
  }

  fs::path root_;
  bool made_root_ = false;
  fs::path folder_;
};

// Runs the guest to its end; the host's view is what the backend watched while it ran. cachefill's own lines
// are kept: a writer that failed says why there.
void observe(Backend& backend, const InstanceSpec& spec, sys::MonotonicNs deadline, VmObservation& seen,
             reports::Sample& sample) {
  sample.started_at_monotonic_ns = sys::monotonic_now();
  std::unique_ptr<Instance> instance = backend.launch(spec, deadline);
  const TeardownGuard guard{*instance};
  while (std::optional<sys::ConsoleLine> line = instance->next_line(deadline)) {
    if (!is_result_line(line->text)) {
      if (line->text.starts_with("cachefill:")) seen.workload.output.push_back(line->text);
      continue;
    }
    const reports::WorkloadResult result = parse_result_line(line->text);
    take_result(result, seen.workload, sample);
  }
  instance->wait_exit(deadline);
  seen.host = instance->host_limits_view();
  instance->destroy();
}

std::string output_of(const VmObservation& seen) {
  return seen.workload.output.empty() ? std::string() : fmt::format(" ({})", fmt::join(seen.workload.output, " | "));
}

}  // namespace

VmPageCacheGuest vm_page_cache_guest(std::uint64_t initramfs_bytes) {
  VmPageCacheGuest guest;
  static_cast<VmGuestMemory&>(guest) = vm_guest_memory(initramfs_bytes);
  guest.write_mib = 2 * guest.ram_mib;
  guest.unlimited_ram_mib = guest.ram_mib + guest.write_mib;
  return guest;
}

std::vector<Verdict> judge_vm_page_cache(const LimitCheck& /*check*/, const VmPageCacheGuest& guest,
                                         const VmObservation& seen) {
  const double limit = static_cast<double>(guest.ram_mib * mib);
  const double ceiling = static_cast<double>(guest.qemu_ceiling_mib() * mib);
  const double wanted = static_cast<double>(guest.write_mib * mib);
  const auto ram = host(seen, key::guest_memory_bytes);
  const auto hwm = host(seen, key::qemu_hwm_bytes);
  const auto disk_written = host(seen, key::block_wr_bytes);
  const auto written = metric(seen, "written_bytes");
  const auto write_errno = metric(seen, "write_errno");
  const std::string ram_misread =
      fmt::format("libvirt reads the guest's RAM as {:.0f} MiB, not {} MiB", ram.value_or(0) / mib, guest.ram_mib);

  // The workload's side, and the disk's: every byte written without an OOM kill, and what the guest's RAM could
  // not hold reached the disk.
  Verdict finished = make_verdict("page_cache.writer_finished", static_cast<double>(guest.write_mib), std::nullopt,
                                  "MiB", std::nullopt);
  std::vector<std::string> finished_failures;
  if (ram != limit) finished_failures.push_back(ram_misread);
  if (seen.workload.signal) {
    finished_failures.push_back(fmt::format("the writer was killed by signal {} in the guest{}{}",
                                            *seen.workload.signal,
                                            *seen.workload.signal == SIGKILL ? " (the guest's OOM killer: its page "
                                                                               "cache was not reclaimed)"
                                                                             : "",
                                            output_of(seen)));
  } else if (!written || !write_errno) {
    finished_failures.push_back(
        fmt::format("the writer reported nothing: {}{}", how_it_ended(seen.workload), output_of(seen)));
  } else {
    finished.measured = *written / mib;
    if (*written != wanted || *write_errno != 0 || seen.workload.exit_code != 0) {
      finished_failures.push_back(fmt::format("the writer wrote {:.1f} of {} MiB (errno {:.0f}, exit {}){}",
                                              *written / mib, guest.write_mib, *write_errno,
                                              seen.workload.exit_code.value_or(-1), output_of(seen)));
    }
  }
  const double must_reach_disk = wanted - limit;
  if (!disk_written) {
    finished_failures.emplace_back("QEMU's write counters of vda were not read (the guest had no disk)");
  } else if (*disk_written < must_reach_disk) {
    finished_failures.push_back(
        fmt::format("QEMU wrote {:.1f} MiB to vda, less than the {:.0f} MiB the guest's {} MiB of RAM could not "
                    "hold: the writes did not reach the disk",
                    *disk_written / mib, must_reach_disk / mib, guest.ram_mib));
  }
  conclude(finished, finished_failures,
           fmt::format("cachefill wrote {} MiB through the page cache of a guest with {} MiB of RAM (libvirt reads "
                       "it back) and exited 0, never OOM-killed: the guest kernel reclaimed its cache; QEMU wrote "
                       "{:.1f} MiB to vda (at least the {:.0f} MiB the RAM could not hold)",
                       guest.write_mib, guest.ram_mib, disk_written.value_or(0) / mib, must_reach_disk / mib),
           seen);

  // The host's side: QEMU's peak RSS, the guest's cached pages among it, within the RAM and QEMU's allowance.
  Verdict peak = make_verdict("page_cache.qemu_peak_within_limit", static_cast<double>(guest.ram_mib), std::nullopt,
                              "MiB", std::nullopt);
  std::vector<std::string> peak_failures;
  if (ram != limit) peak_failures.push_back(ram_misread);
  if (!hwm) {
    peak_failures.emplace_back("QEMU's peak RSS was not read");
  } else {
    peak.measured = *hwm / mib;
    if (*hwm > ceiling) {
      peak_failures.push_back(
          fmt::format("QEMU's peak RSS {:.0f} MiB is over the guest's {} MiB + {} MiB for QEMU ({} MiB: its copy "
                      "of the initramfs and {} MiB for itself): the guest's page cache grew past its limit",
                      *hwm / mib, guest.ram_mib, guest.qemu_ceiling_mib() - guest.ram_mib, guest.initramfs_mib,
                      vm_qemu_overhead_mib));
    }
  }
  conclude(peak, peak_failures,
           fmt::format("QEMU's peak RSS {:.0f} MiB while the guest wrote {} MiB through its page cache, within the "
                       "guest's {} MiB + {} MiB for QEMU ({} MiB: its copy of the initramfs and {} MiB for itself)",
                       hwm.value_or(0) / mib, guest.write_mib, guest.ram_mib, guest.qemu_ceiling_mib() - guest.ram_mib,
                       guest.initramfs_mib, vm_qemu_overhead_mib),
           seen);
  return {finished, peak};
}

StepResult measure_vm_page_cache(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off,
                                 const fs::path& scratch_root) {
  StepResult result;
  const VmPageCacheGuest guest = vm_page_cache_guest(image_initramfs_bytes(backend));
  InstanceSpec spec = instance_spec(input.test_case, input.next_instance_name());
  // The guest's limit is its RAM; without the limit it gets RAM for the whole write. The writer's file is the
  // guest's raw disk: its page cache with no filesystem to make.
  spec.limits = {};
  spec.limits.memory_bytes = (limit_off ? guest.unlimited_ram_mib : guest.ram_mib) * mib;
  spec.workload_args = {vm_io_disk_path, fmt::format("{}", guest.write_mib), hold_ms};
  if (limit_off) {
    result.notes.push_back(
        fmt::format("{}: {} ran without its limit (--limits-off): its verdicts must fail", backend.name(), check.name));
  }
  VmObservation seen;
  seen.limit_applied = !limit_off;
  seen.guest_memory_bytes = *spec.limits.memory_bytes;
  reports::Sample sample;
  sample.backend = backend.name();
  const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(input.timeout).count();
  try {
    const SparseGuestDisk disk(scratch_root, spec.name, guest.disk_bytes());
    spec.disk_files.push_back(disk.file().string());
    observe(backend, spec, deadline, seen, sample);
    result.verdicts = judge_vm_page_cache(check, guest, seen);
    sample.ok = true;
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Error& error) {
    sample.failure = step_failure(error);
    Verdict verdict =
        make_verdict(fmt::format("{}.host_view", check.name), std::nullopt, std::nullopt, "", std::nullopt);
    verdict.why = fmt::format("the check's guest failed: {}", error.what());
    result.verdicts.push_back(std::move(verdict));
  }
  result.samples.push_back(std::move(sample));
  return result;
}

}  // namespace benchrun::harness
