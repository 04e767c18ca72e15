#include "harness/suites/limits_vm_io.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <csignal>

#include "harness/suites/limits_io.hpp"
#include "harness/workload_protocol.hpp"
#include "runtime/loop_device.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "sys/process_alive.hpp"
#include "sys/unique_fd.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

namespace fs = std::filesystem;
namespace key = vm::view_key;
using reports::Verdict;

std::optional<double> host(const VmObservation& seen, const char* name) { return named_figure(seen.host, name); }

std::optional<double> metric(const VmObservation& seen, const std::string& name) {
  return named_figure(seen.workload.metrics, name);
}

// --- The scratch disk ---------------------------------------------------------------------------------------

using sys::process_alive;

// --- Judgement ----------------------------------------------------------------------------------------------

std::vector<Verdict> judge_vm_io_rate(const LimitCheck& check, const VmObservation& seen, IoRate rate) {
  const bool bytes = rate == IoRate::bytes;
  const std::uint64_t limit = (bytes ? check.limits.io_read_bps : check.limits.io_read_iops).value_or(0);
  const double limit_rate = static_cast<double>(limit);
  const char* unit = bytes ? "bytes/s" : "IOPS";
  Verdict verdict = make_verdict(bytes ? "io.read_bps" : "io.read_iops", limit_rate, std::nullopt, unit, io_tolerance);
  std::vector<std::string> failures;

  // The host's side: the throttle libvirt reads back from QEMU, and QEMU's count of the disk's reads.
  const auto tune = host(seen, bytes ? key::iotune_read_bytes_sec : key::iotune_read_iops_sec);
  if (tune != limit_rate) {
    failures.push_back(tune ? fmt::format("libvirt reads back a read throttle of {:.0f} {} on vda", *tune, unit)
                            : fmt::format("libvirt reads back no read throttle in {} on vda (block IO tune)", unit));
  }
  const auto steady_ms = host(seen, key::block_steady_ms);
  const auto reading_ms = host(seen, key::block_reading_ms);
  const auto steady_count = host(seen, bytes ? key::block_steady_rd_bytes : key::block_steady_rd_req);
  std::optional<double> host_rate;
  if (!steady_ms || !steady_count || *steady_ms <= 0) {
    failures.push_back(host(seen, key::block_rd_req)
                           ? std::string("QEMU's block stats of vda show no stretch of reads longer than a second")
                           : std::string("QEMU's block stats of vda were not read (the guest had no disk)"));
  } else {
    host_rate = *steady_count / (*steady_ms / 1000.0);
    verdict.measured = *host_rate;
    if (const auto off = io_rate_off_the_limit(*host_rate, limit_rate)) {
      failures.push_back(
          fmt::format("QEMU's block stats counted {:.0f} {} over {:.0f} ms of reading (its first "
                      "second left out), {}",
                      *host_rate, unit, *steady_ms, *off));
    }
  }

  // The workload's side: its own count over its whole run, the burst included.
  const auto own_rate = metric(seen, bytes ? "read_bytes_per_s" : "read_iops");
  const auto run_ms = metric(seen, "run_ms");
  if (!own_rate || !run_ms || *run_ms <= 0) {
    const bool no_disk = std::any_of(seen.workload.output.begin(), seen.workload.output.end(), [](const auto& line) {
      return line.find(vm_io_disk_path) != std::string::npos && line.find("No such file") != std::string::npos;
    });
    failures.push_back(fmt::format(
        "the reader reported no rate: {}{}{}", how_it_ended(seen.workload),
        seen.workload.output.empty() ? std::string() : fmt::format(" ({})", fmt::join(seen.workload.output, " | ")),
        no_disk ? ": the guest's kernel has no virtio_blk (image 'guest' loads it: --image guest)" : ""));
  } else {
    if (const auto off = io_rate_off_the_limit(*own_rate, limit_rate))
      failures.push_back(fmt::format("the reader counted {:.0f} {} itself, {}", *own_rate, unit, *off));
    if (host_rate && !values_close(*host_rate, *own_rate, io_tolerance))
      failures.push_back(
          fmt::format("QEMU's block stats counted {:.0f} {} but the reader {:.0f}", *host_rate, unit, *own_rate));
  }

  verdict.pass = failures.empty();
  if (verdict.pass) {
    verdict.why = fmt::format(
        "{:.0f} {} by QEMU's block stats of vda over {:.0f} ms of its {:.0f} ms of reads (the first second, where "
        "QEMU's bucket lets a tenth of a second's burst through, left out), {:.0f} by the reader's own count over "
        "its {:.0f} ms, against a throttle of {} libvirt reads back (error {:+.2f} % host, {:+.2f} % workload; over "
        "by at most 10 %, under by at most 50 %)",
        host_rate.value_or(0), unit, steady_ms.value_or(0), reading_ms.value_or(0), own_rate.value_or(0),
        run_ms.value_or(0), limit, (host_rate.value_or(0) / limit_rate - 1) * 100,
        (own_rate.value_or(0) / limit_rate - 1) * 100);
  } else {
    verdict.why = fmt::format("{}{}", fmt::join(failures, "; "),
                              seen.limit_applied ? "" : " (ran without its limit: --limits-off)");
  }
  return {verdict};
}

}  // namespace

GuestScratchDisk::GuestScratchDisk(const fs::path& root, const std::string& instance, Content content,
                                   std::uint64_t sparse_bytes)
    : root_(root) {
  made_root_ = fs::create_directories(root);
  struct statfs info {};
  if (::statfs(root.c_str(), &info) != 0) throw sys::SystemError(errno, fmt::format("statfs {}", root.string()));
  if (info.f_type == TMPFS_MAGIC || info.f_type == RAMFS_MAGIC) {
    release();
    throw sys::Error(
        fmt::format("--scratch-dir {} is a tmpfs: a guest's disk checks need the host's disk (e.g. --scratch-dir "
                    "/var/tmp/benchrun-overhead)",
                    root.string()));
  }
  require_reachable_by_qemu(root);
  remove_dead_folders();
  folder_ = runtime::loop_folder(root, ::getpid(), instance);
  try {
    fs::create_directories(folder_);
    switch (content) {
      case Content::pattern:
        write_pattern_file(file(), vm_io_disk_bytes);
        break;
      case Content::ext4:
        format_ext4(file());
        break;
      case Content::sparse:
        make_sparse(file(), sparse_bytes);
        break;
    }
  } catch (...) {
    release();  // a destructor does not run for a constructor that threw
    throw;
  }
}

GuestScratchDisk::~GuestScratchDisk() { release(); }

// QEMU runs as libvirt-qemu (the embedded driver's DAC hands it the file, not the folders above it): every
// folder down to the disk must let others in, or QEMU fails to open it ("Permission denied") after the boot
// files were staged. Said before anything is made.
void GuestScratchDisk::require_reachable_by_qemu(const fs::path& root) {
  for (fs::path folder = fs::absolute(root); !folder.empty(); folder = folder.parent_path()) {
    struct stat info {};
    if (::stat(folder.c_str(), &info) != 0) throw sys::SystemError(errno, fmt::format("stat {}", folder.string()));
    if ((info.st_mode & S_IXOTH) == 0) {
      release();
      throw sys::Error(fmt::format(
          "--scratch-dir {}: folder {} (mode {:o}) keeps QEMU, which runs as libvirt-qemu, from the guest's "
          "disk: give a folder every user may enter (e.g. --scratch-dir /var/tmp/benchrun-overhead) or chmod o+x {}",
          root.string(), folder.string(), info.st_mode & 07777, folder.string()));
    }
    if (folder == folder.root_path()) break;
  }
}

// Allocated (not sparse: the guest's writes do not wait for the host's allocator) and formatted by the same
// mkfs.ext4 call as the container checks' loop device (every inode table and the journal written now).
void GuestScratchDisk::format_ext4(const fs::path& path) {
  {
    const sys::UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd) sys::throw_errno(fmt::format("create {}", path.string()));
    if (const int error = ::posix_fallocate(fd.get(), 0, static_cast<off_t>(guest_scratch_disk_bytes)); error != 0)
      throw sys::SystemError(error, fmt::format("allocate {} bytes for {}", guest_scratch_disk_bytes, path.string()));
  }
  run_mkfs(path);
}

void GuestScratchDisk::make_sparse(const fs::path& path, std::uint64_t bytes) {
  if (bytes == 0) throw sys::Error(fmt::format("{}: a sparse scratch disk needs a size", path.string()));
  const sys::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) sys::throw_errno(fmt::format("create {}", path.string()));
  if (::ftruncate(fd.get(), static_cast<off_t>(bytes)) != 0)
    sys::throw_errno(fmt::format("size {} to {} MiB", path.string(), bytes >> 20));
}

void GuestScratchDisk::remove_dead_folders() const {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root_, error)) {
    const auto owner = runtime::loop_folder_owner(entry.path() / "disk.img");
    if (owner && !process_alive(*owner)) {
      std::error_code ignored;
      fs::remove_all(entry.path(), ignored);
    }
  }
}

void GuestScratchDisk::release() noexcept {
  std::error_code ignored;
  if (!folder_.empty()) fs::remove_all(folder_, ignored);
  if (made_root_) ::rmdir(root_.c_str());
}

std::vector<Verdict> judge_vm_io_read_bps(const LimitCheck& check, const VmObservation& seen) {
  return judge_vm_io_rate(check, seen, IoRate::bytes);
}

std::vector<Verdict> judge_vm_io_read_iops(const LimitCheck& check, const VmObservation& seen) {
  return judge_vm_io_rate(check, seen, IoRate::reads);
}

StepResult measure_vm_io_check(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off,
                               const fs::path& scratch_root) {
  StepResult result;
  InstanceSpec spec = instance_spec(input.test_case, input.next_instance_name());
  // The reader's file is the guest's disk itself: no filesystem between it and the throttle.
  if (!spec.workload_args.empty()) spec.workload_args.front() = vm_io_disk_path;
  if (limit_off) {
    spec.limits = {};
    result.notes.push_back(
        fmt::format("{}: {} ran without its limit (--limits-off): its verdicts must fail", backend.name(), check.name));
  }
  VmObservation seen;
  seen.limit_applied = !limit_off;
  reports::Sample sample;
  sample.backend = backend.name();
  const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(input.timeout).count();
  try {
    const GuestScratchDisk disk(scratch_root, spec.name, GuestScratchDisk::Content::pattern);
    spec.disk_files.push_back(disk.file().string());
    observe_vm_guest(backend, spec, deadline, seen, sample, "ioprobe:");
    result.verdicts =
        check.name == "io-read-bps" ? judge_vm_io_read_bps(check, seen) : judge_vm_io_read_iops(check, seen);
    sample.ok = true;
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Error& error) {
    sample.failure = step_failure(error);
    result.verdicts.push_back(vm_guest_failed(check, error));
  }
  result.samples.push_back(std::move(sample));
  return result;
}

}  // namespace benchrun::harness
