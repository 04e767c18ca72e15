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
#include "sys/unique_fd.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

namespace fs = std::filesystem;
namespace key = vm::view_key;
using reports::Verdict;

constexpr double io_tolerance = 0.10;
constexpr double io_floor_share = 0.5;
constexpr std::uint64_t mib = 1ULL << 20;

std::optional<double> host(const VmObservation& seen, const char* name) {
  const auto found = seen.host.find(name);
  return found == seen.host.end() ? std::nullopt : std::optional(found->second);
}

std::optional<double> metric(const VmObservation& seen, const std::string& name) {
  const auto found = seen.workload.metrics.find(name);
  return found == seen.workload.metrics.end() ? std::nullopt : std::optional(found->second);
}

// --- The scratch disk ---------------------------------------------------------------------------------------

bool process_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// Runs the guest to its end; the host's view is what the backend watched while it ran. The console's lines
// but RESULT are kept: a reader that failed says why there (no /dev/vda without virtio_blk).
void observe(Backend& backend, const InstanceSpec& spec, sys::MonotonicNs deadline, VmObservation& seen,
             reports::Sample& sample) {
  sample.started_at_monotonic_ns = sys::monotonic_now();
  std::unique_ptr<Instance> instance = backend.launch(spec, deadline);
  const TeardownGuard guard{*instance};
  while (std::optional<sys::ConsoleLine> line = instance->next_line(deadline)) {
    if (!is_result_line(line->text)) {
      if (line->text.starts_with("ioprobe:")) seen.workload.output.push_back(line->text);
      continue;
    }
    const reports::WorkloadResult result = parse_result_line(line->text);
    take_result(result, seen.workload, sample);
  }
  instance->wait_exit(deadline);
  seen.host = instance->host_limits_view();
  instance->destroy();
}

// --- Judgement ----------------------------------------------------------------------------------------------

enum class IoRate { bytes, reads };

// Why `rate` is off the limit: over it by more than the tolerance, or under the floor; nullopt when neither.
std::optional<std::string> off_the_limit(double rate, double limit) {
  const double error = (rate / limit - 1) * 100;
  if (rate > limit && !values_close(rate, limit, io_tolerance))
    return fmt::format("{:+.1f} % from the limit, over the 10 % allowed", error);
  if (rate < limit * io_floor_share)
    return fmt::format("{:+.1f} % from the limit, under half of it: the throttle was not reached", error);
  return std::nullopt;
}

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
    if (const auto off = off_the_limit(*host_rate, limit_rate)) {
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
    if (const auto off = off_the_limit(*own_rate, limit_rate))
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

GuestScratchDisk::GuestScratchDisk(const fs::path& root, const std::string& instance, Content content) : root_(root) {
  made_root_ = fs::create_directories(root);
  struct statfs info {};
  if (::statfs(root.c_str(), &info) != 0) throw sys::SystemError(errno, fmt::format("statfs {}", root.string()));
  if (info.f_type == TMPFS_MAGIC || info.f_type == RAMFS_MAGIC) {
    release();
    throw sys::Error(
        fmt::format("--scratch-dir {} is a tmpfs: a guest's I/O checks need the host's disk (e.g. --scratch-dir "
                    "/var/tmp/benchrun-overhead)",
                    root.string()));
  }
  require_reachable_by_qemu(root);
  remove_dead_folders();
  folder_ = runtime::loop_folder(root, ::getpid(), instance);
  try {
    fs::create_directories(folder_);
    if (content == Content::pattern) {
      write_pattern(file());
    } else {
      format_ext4(file());
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

void GuestScratchDisk::write_pattern(const fs::path& path) {
  const sys::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) sys::throw_errno(fmt::format("create {}", path.string()));
  std::string block(mib, '\0');
  for (std::size_t at = 0; at < block.size(); ++at) block[at] = static_cast<char>('a' + at % 26);
  for (std::uint64_t written = 0; written < vm_io_disk_bytes; written += block.size())
    sys::write_all(fd.get(), block, path.string());
  if (::fsync(fd.get()) != 0) sys::throw_errno(fmt::format("fsync {}", path.string()));
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
    observe(backend, spec, deadline, seen, sample);
    result.verdicts =
        check.name == "io-read-bps" ? judge_vm_io_read_bps(check, seen) : judge_vm_io_read_iops(check, seen);
    sample.ok = true;
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Error& error) {
    const reports::FailureKind kind =
        dynamic_cast<const sys::Timeout*>(&error) ? reports::FailureKind::timeout : reports::FailureKind::error;
    sample.failure = reports::Failure{kind, error.what()};
    Verdict verdict =
        make_verdict(fmt::format("{}.host_view", check.name), std::nullopt, std::nullopt, "", std::nullopt);
    verdict.why = fmt::format("the check's guest failed: {}", error.what());
    result.verdicts.push_back(std::move(verdict));
  }
  result.samples.push_back(std::move(sample));
  return result;
}

}  // namespace benchrun::harness
