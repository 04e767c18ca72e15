#include "harness/suites/limits_io.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <cmath>
#include <csignal>
#include <sstream>

#include "runtime/cgroup/cgroup_files.hpp"
#include "runtime/loop_device.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "sys/process_alive.hpp"
#include "sys/unique_fd.hpp"

extern char** environ;

namespace benchrun::harness {
namespace {

namespace fs = std::filesystem;
using reports::Verdict;

constexpr std::uint64_t mib = 1ULL << 20;
// Where the instance sees its scratch folder, and the files the workloads use there.
constexpr const char* scratch_target = "/scratch";
constexpr const char* io_data_path = "/scratch/data";
constexpr const char* cache_file_path = "/scratch/cache";
// The I/O checks: a 64 MiB file on the host's disk behind the loop device, an ext4 on it, and a 16 MiB file
// the workload reads round and round. The file is written by benchrun before the instance starts (a
// fallocated file has unwritten extents, which O_DIRECT reads as zeros without any I/O).
constexpr std::uint64_t loop_file_bytes = 64 * mib;
constexpr std::uint64_t io_data_bytes = 16 * mib;
// Read bytes per second: 128 KiB reads under 8 MiB/s for 3 s (192 reads, so one read is 0.5 % of the whole).
constexpr std::uint64_t read_bps_limit = 8 * mib;
constexpr const char* bps_block_bytes = "131072";
// Reads per second: 4 KiB reads under 200 IOPS for 3 s (600 reads).
constexpr std::uint64_t read_iops_limit = 200;
constexpr const char* iops_block_bytes = "4096";
constexpr const char* io_run_ms = "3000";
// The host reads the cgroup every 20 ms while it runs (limits.cpp): 300 ms after the last read it has seen it.
constexpr const char* io_hold_ms = "300";
// Page cache: the selftest's 50M under 30M (alloc_pagecache_max_30M), err 5 of the sum = 10 % of the mean.
constexpr std::uint64_t page_cache_limit_bytes = 30 * mib;
constexpr const char* page_cache_write_mib = "50";
constexpr const char* page_cache_hold_ms = "500";
constexpr double page_cache_tolerance = 0.10;

constexpr std::string_view cache_folder_prefix = "benchrun-cache-";

using sys::process_alive;

double to_mib(std::uint64_t bytes) { return static_cast<double>(bytes) / static_cast<double>(mib); }

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// --- On the host: the folder, the loop device, the filesystem ---------------------------------------------

// `root` made if missing (true: made here), and refused when it is a tmpfs: the checks need the host's disk.
bool require_disk_folder(const fs::path& root) {
  const bool made = fs::create_directories(root);
  struct statfs info {};
  if (::statfs(root.c_str(), &info) != 0) throw sys::SystemError(errno, fmt::format("statfs {}", root.string()));
  if (info.f_type == TMPFS_MAGIC || info.f_type == RAMFS_MAGIC) {
    throw sys::Error(fmt::format(
        "--scratch-dir {} is a tmpfs: the limits suite's I/O and page-cache checks need the host's disk (e.g. "
        "--scratch-dir /var/tmp/benchrun-overhead)",
        root.string()));
  }
  return made;
}

// Removes the folder a check made for its files when nothing else is in it (another run may share it).
void remove_if_made_and_empty(const fs::path& root, bool made) {
  if (made) ::rmdir(root.c_str());
}

// Folders a killed benchrun left under `root` (loop folders whose device the run's sweep already detached,
// page-cache folders): their owner pid is gone.
void remove_dead_folders(const fs::path& root) {
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root, error)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(cache_folder_prefix)) name = "benchrun-loop-" + name.substr(cache_folder_prefix.size());
    const auto owner = runtime::loop_folder_owner(name);
    if (owner && !process_alive(*owner)) {
      std::error_code ignored;
      fs::remove_all(entry.path(), ignored);
    }
  }
}

// A loop device over a file on the host's disk with an ext4 on it, mounted at <folder>/mnt: what an I/O check's
// instance reads. Everything goes with it: unmounted, detached, the folder removed.
class LoopScratch {
 public:
  LoopScratch(const fs::path& root, const std::string& instance) : root_(root) {
    made_root_ = require_disk_folder(root);
    remove_dead_folders(root);
    folder_ = runtime::loop_folder(root, ::getpid(), instance);
    try {
      set_up();
    } catch (...) {
      release();  // a destructor does not run for a constructor that threw
      throw;
    }
  }
  LoopScratch(const LoopScratch&) = delete;
  LoopScratch& operator=(const LoopScratch&) = delete;
  ~LoopScratch() { release(); }
  [[nodiscard]] fs::path mount_point() const { return folder_ / "mnt"; }
  [[nodiscard]] const runtime::LoopDevice& device() const { return loop_; }

 private:
  void set_up() {
    fs::create_directories(folder_ / "mnt");
    const fs::path backing = folder_ / "disk.img";
    {
      const sys::UniqueFd fd(::open(backing.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
      if (!fd) sys::throw_errno(fmt::format("create {}", backing.string()));
      if (const int error = ::posix_fallocate(fd.get(), 0, static_cast<off_t>(loop_file_bytes)); error != 0)
        throw sys::SystemError(error, fmt::format("allocate {} bytes for {}", loop_file_bytes, backing.string()));
    }
    run_mkfs(backing);
    loop_ = runtime::LoopDevice::attach(backing);
    if (::mount(loop_.path().c_str(), mount_point().c_str(), "ext4", MS_NOSUID | MS_NODEV | MS_NOATIME, nullptr) != 0)
      sys::throw_errno(fmt::format("mount {} on {}", loop_.path().string(), mount_point().string()));
    mounted_ = true;
    write_pattern_file(mount_point() / fs::path(io_data_path).filename(), io_data_bytes);
  }
  void release() noexcept {
    // Detached lazily: a mount namespace of the instance that is not gone yet keeps the filesystem, and the
    // device (autoclear) goes with its last user.
    if (mounted_) ::umount2(mount_point().c_str(), MNT_DETACH);
    try {
      loop_.detach();
    } catch (...) {  // autoclear detaches it; the sweep of the next run gets the rest
    }
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
    remove_if_made_and_empty(root_, made_root_);
  }

  fs::path root_;
  bool made_root_ = false;
  fs::path folder_;
  runtime::LoopDevice loop_;
  bool mounted_ = false;
};

// A folder on the host's disk for the page-cache check's file, removed with it (and the file's pages).
class DiskFolder {
 public:
  DiskFolder(const fs::path& root, const std::string& instance) : root_(root) {
    made_root_ = require_disk_folder(root);
    remove_dead_folders(root);
    folder_ = root / fmt::format("{}{}-{}", cache_folder_prefix, ::getpid(), instance);
    fs::create_directories(folder_);
  }
  DiskFolder(const DiskFolder&) = delete;
  DiskFolder& operator=(const DiskFolder&) = delete;
  ~DiskFolder() {
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
    remove_if_made_and_empty(root_, made_root_);
  }
  [[nodiscard]] const fs::path& path() const { return folder_; }

 private:
  fs::path root_;
  bool made_root_ = false;
  fs::path folder_;
};

std::shared_ptr<void> prepare_io(const LimitCheck& /*check*/, const fs::path& scratch_root, InstanceSpec& spec,
                                 Observation& seen) {
  auto scratch = std::make_shared<LoopScratch>(scratch_root, spec.name);
  spec.binds.emplace_back(scratch->mount_point().string(), scratch_target);
  spec.throttled_device = InstanceSpec::BlockDevice{scratch->device().major(), scratch->device().minor()};
  seen.io_device = fmt::format("{}:{}", scratch->device().major(), scratch->device().minor());
  return scratch;
}

std::shared_ptr<void> prepare_page_cache(const LimitCheck& /*check*/, const fs::path& scratch_root, InstanceSpec& spec,
                                         Observation& /*seen*/) {
  auto folder = std::make_shared<DiskFolder>(scratch_root, spec.name);
  spec.binds.emplace_back(folder->path().string(), scratch_target);
  return folder;
}

// --- Judgement ---------------------------------------------------------------------------------------------

std::vector<Verdict> judge_io_rate(const LimitCheck& check, const Observation& seen, IoRate rate) {
  const bool bytes = rate == IoRate::bytes;
  const std::uint64_t limit = (bytes ? check.limits.io_read_bps : check.limits.io_read_iops).value_or(0);
  const char* unit = bytes ? "bytes/s" : "IOPS";
  Verdict verdict;
  verdict.check = bytes ? "io.read_bps" : "io.read_iops";
  verdict.configured = static_cast<double>(limit);
  verdict.unit = unit;
  verdict.tolerance = io_tolerance;

  std::vector<std::string> failures;
  const std::optional<double> own_rate = workload_metric(seen, bytes ? "read_bytes_per_s" : "read_iops");
  const std::optional<double> run_ms = workload_metric(seen, "run_ms");
  if (!own_rate || !run_ms || *run_ms <= 0) {
    failures.push_back(fmt::format("the reader reported no rate: {}", how_it_ended(seen.workload)));
    conclude(verdict, failures, "", seen);
    return {verdict};
  }
  const auto device = seen.host.io_devices.find(seen.io_device);
  const IoDeviceView none;
  const IoDeviceView& host = device == seen.host.io_devices.end() ? none : device->second;
  const std::optional<std::uint64_t> host_limit = bytes ? host.read_bps_limit : host.read_iops_limit;
  if (host_limit != limit) {
    failures.push_back(host_limit
                           ? fmt::format("the cgroup's read limit on {} reads {} {}", seen.io_device, *host_limit, unit)
                           : fmt::format("the cgroup sets no read limit on {}", seen.io_device));
  }
  const std::optional<std::uint64_t> host_count = bytes ? host.read_bytes : host.reads;
  std::optional<double> host_rate;
  if (!host_count) {
    failures.push_back(fmt::format("the host counts no reads of the instance on {}", seen.io_device));
  } else {
    host_rate = static_cast<double>(*host_count) / (*run_ms / 1000.0);
    verdict.measured = *host_rate;
    if (const auto off = io_rate_off_the_limit(*host_rate, static_cast<double>(limit))) {
      failures.push_back(
          fmt::format("the cgroup counted {:.0f} {} over the reader's {:.0f} ms, {}", *host_rate, unit, *run_ms, *off));
    }
    if (!values_close(*host_rate, *own_rate, io_tolerance))
      failures.push_back(
          fmt::format("the cgroup counted {:.0f} {} but the reader {:.0f}", *host_rate, unit, *own_rate));
  }
  if (const auto off = io_rate_off_the_limit(*own_rate, static_cast<double>(limit)))
    failures.push_back(fmt::format("the reader counted {:.0f} {} itself, {}", *own_rate, unit, *off));
  conclude(verdict, failures,
           fmt::format("{:.0f} {} by the cgroup's count on {}, {:.0f} by the reader's own, over {:.0f} ms, against "
                       "{} (error {:+.2f} % host, {:+.2f} % workload; over by at most 10 %, under by at most 50 %)",
                       host_rate.value_or(0), unit, seen.io_device, *own_rate, *run_ms, limit,
                       (host_rate.value_or(0) / static_cast<double>(limit) - 1) * 100,
                       (*own_rate / static_cast<double>(limit) - 1) * 100),
           seen);
  return {verdict};
}

}  // namespace

void write_pattern_file(const fs::path& path, std::uint64_t bytes) {
  const sys::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) sys::throw_errno(fmt::format("create {}", path.string()));
  std::string block(mib, '\0');
  for (std::size_t at = 0; at < block.size(); ++at) block[at] = static_cast<char>('a' + at % 26);
  for (std::uint64_t written = 0; written < bytes; written += block.size())
    sys::write_all(fd.get(), block, path.string());
  if (::fsync(fd.get()) != 0) sys::throw_errno(fmt::format("fsync {}", path.string()));
}

std::optional<std::string> io_rate_off_the_limit(double rate, double limit) {
  const double error = (rate / limit - 1) * 100;
  if (rate > limit && !values_close(rate, limit, io_tolerance))
    return fmt::format("{:+.1f} % from the limit, over the 10 % allowed", error);
  if (rate < limit * io_floor_share)
    return fmt::format("{:+.1f} % from the limit, under half of it: the throttle was not reached", error);
  return std::nullopt;
}

void run_mkfs(const fs::path& file) {
  const char* mkfs = nullptr;
  for (const char* candidate : {"/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4"}) {
    if (::access(candidate, X_OK) == 0) mkfs = candidate;
  }
  if (mkfs == nullptr) throw sys::Error("mkfs.ext4 not found in /usr/sbin or /sbin: install e2fsprogs");
  // Every inode table and the journal written now, not by ext4lazyinit while the instance reads.
  std::vector<std::string> words{mkfs,         "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0,nodiscard",
                                 file.string()};
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int error = ::posix_spawn(&pid, mkfs, nullptr, nullptr, argv.data(), environ); error != 0)
    throw sys::SystemError(error, fmt::format("spawn {}", mkfs));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) sys::throw_errno(fmt::format("wait for {}", mkfs));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw sys::Error(fmt::format("{} {} failed (status {:#x})", mkfs, file.string(), status));
}

std::vector<Verdict> judge_io_read_bps(const LimitCheck& check, const Observation& seen) {
  return judge_io_rate(check, seen, IoRate::bytes);
}

std::vector<Verdict> judge_io_read_iops(const LimitCheck& check, const Observation& seen) {
  return judge_io_rate(check, seen, IoRate::reads);
}

std::vector<Verdict> judge_page_cache(const LimitCheck& check, const Observation& seen) {
  const std::uint64_t limit = check.limits.memory_bytes.value_or(0);
  const HostView& host = seen.host;
  Verdict verdict;
  verdict.check = "page_cache.within_limit";
  verdict.configured = to_mib(limit);
  verdict.unit = "MiB";
  verdict.tolerance = page_cache_tolerance;
  if (host.memory_usage_bytes) verdict.measured = to_mib(*host.memory_usage_bytes);

  std::vector<std::string> failures;
  // v1 reads an unlimited cgroup as PAGE_COUNTER_MAX pages (8 EiB with 4 KiB pages), v2 as "max".
  constexpr std::uint64_t unlimited_v1 = 1ULL << 60;
  if (!host.memory_limit_bytes || *host.memory_limit_bytes >= unlimited_v1) {
    failures.emplace_back("the cgroup has no memory limit");
  } else if (host.memory_limit_bytes != limit) {
    failures.push_back(fmt::format("the cgroup's limit reads {:.1f} MiB", to_mib(*host.memory_limit_bytes)));
  }
  // The workload's side: every byte written, never OOM-killed (file pages are reclaimed, not a reason to kill).
  const std::uint64_t wanted = std::stoull(check.workload_args.at(1)) * mib;
  const std::optional<double> written = workload_metric(seen, "written_bytes");
  const std::optional<double> write_errno = workload_metric(seen, "write_errno");
  if (seen.workload.oom_killed || host.oom_kills.value_or(0) > 0) {
    failures.push_back(
        fmt::format("the writer was OOM-killed ({} kills counted by the cgroup)", host.oom_kills.value_or(0)));
  } else if (!written || !write_errno) {
    failures.push_back(fmt::format("the writer reported nothing: {}", how_it_ended(seen.workload)));
  } else if (*written != static_cast<double>(wanted) || *write_errno != 0) {
    failures.push_back(fmt::format("the writer wrote {:.1f} of {} MiB (errno {:.0f})",
                                   *written / static_cast<double>(mib), wanted / mib, *write_errno));
  }
  if (!host.memory_usage_bytes) {
    failures.emplace_back("the host cannot read the cgroup's memory usage");
  } else if (*host.memory_usage_bytes > limit) {
    failures.push_back(fmt::format("usage reads {:.1f} MiB, over the limit", to_mib(*host.memory_usage_bytes)));
  } else if (!values_close(static_cast<double>(*host.memory_usage_bytes), static_cast<double>(limit),
                           page_cache_tolerance)) {
    failures.push_back(
        fmt::format("usage reads {:.1f} MiB, not close to the limit (the page cache was not kept "
                    "up to it)",
                    to_mib(*host.memory_usage_bytes)));
  }
  if (host.memory_peak_bytes && *host.memory_peak_bytes > limit)
    failures.push_back(fmt::format("usage peaked at {:.1f} MiB, over the limit", to_mib(*host.memory_peak_bytes)));
  conclude(
      verdict, failures,
      fmt::format("{} MiB written through the page cache without an OOM kill; usage {:.1f} MiB (error {:+.1f} "
                  "%), peak {:.1f} MiB, under a {:.0f} MiB limit (values_close 10 % of the mean: the selftest's "
                  "err 5 of the sum)",
                  wanted / mib, to_mib(host.memory_usage_bytes.value_or(0)),
                  (static_cast<double>(host.memory_usage_bytes.value_or(0)) / static_cast<double>(limit) - 1) * 100,
                  to_mib(host.memory_peak_bytes.value_or(0)), to_mib(limit)),
      seen);
  return {verdict};
}

void append_io_limit_checks(std::vector<LimitCheck>& checks) {
  LimitCheck bps{"io-read-bps",
                 "O_DIRECT reads of a loop device stay within 10 % of its read bytes/s throttle",
                 "ioprobe",
                 {io_data_path, bps_block_bytes, io_run_ms, io_hold_ms},
                 {},
                 &judge_io_read_bps};
  bps.prepare = &prepare_io;
  bps.limits.io_read_bps = read_bps_limit;
  checks.push_back(std::move(bps));
  LimitCheck iops{"io-read-iops",
                  "O_DIRECT reads of a loop device stay within 10 % of its read IOPS throttle",
                  "ioprobe",
                  {io_data_path, iops_block_bytes, io_run_ms, io_hold_ms},
                  {},
                  &judge_io_read_iops};
  iops.prepare = &prepare_io;
  iops.limits.io_read_iops = read_iops_limit;
  checks.push_back(std::move(iops));
  LimitCheck cache{"page-cache", "50M written through the page cache under 30M: no OOM kill, usage close to the limit",
                   "cachefill",  {cache_file_path, page_cache_write_mib, page_cache_hold_ms},
                   {},           &judge_page_cache};
  cache.prepare = &prepare_page_cache;
  cache.limits.memory_bytes = page_cache_limit_bytes;
  checks.push_back(std::move(cache));
  checks.push_back(memory_swap_check());
}

// --- The host's side ---------------------------------------------------------------------------------------

void parse_blkio_v1_counts(std::string_view text, bool bytes, std::map<std::string, IoDeviceView>& devices) {
  std::istringstream lines{std::string(text)};
  for (std::string device, operation, value; lines >> device;) {
    if (device == "Total") {
      lines >> value;
      continue;
    }
    if (!(lines >> operation >> value)) break;
    if (operation != "Read") continue;
    const auto number = parse_number(value);
    if (!number) continue;
    (bytes ? devices[device].read_bytes : devices[device].reads) = *number;
  }
}

void parse_blkio_v1_limits(std::string_view text, bool bps, std::map<std::string, IoDeviceView>& devices) {
  std::istringstream lines{std::string(text)};
  for (std::string device, value; lines >> device >> value;) {
    const auto number = parse_number(value);
    if (number) (bps ? devices[device].read_bps_limit : devices[device].read_iops_limit) = *number;
  }
}

namespace {

// Each "<major:minor> key=value ..." line of a v2 io file: `take(device view, key, value)` for every pair, the
// value nullopt when it is no number ("max").
template <typename Take>
void for_each_io_pair(std::string_view text, std::map<std::string, IoDeviceView>& devices, Take take) {
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string device;
    if (!(words >> device)) continue;
    for (std::string pair; words >> pair;) {
      const std::size_t equals = pair.find('=');
      if (equals == std::string::npos) continue;
      take(devices[device], pair.substr(0, equals), parse_number(std::string_view(pair).substr(equals + 1)));
    }
  }
}

}  // namespace

void parse_io_stat_v2(std::string_view text, std::map<std::string, IoDeviceView>& devices) {
  for_each_io_pair(text, devices, [](IoDeviceView& view, const std::string& key, std::optional<std::uint64_t> number) {
    if (!number) return;
    if (key == "rbytes") view.read_bytes = *number;
    if (key == "rios") view.reads = *number;
  });
}

void parse_io_max_v2(std::string_view text, std::map<std::string, IoDeviceView>& devices) {
  for_each_io_pair(text, devices, [](IoDeviceView& view, const std::string& key, std::optional<std::uint64_t> number) {
    if (key == "rbps") view.read_bps_limit = number;  // "max": no limit
    if (key == "riops") view.read_iops_limit = number;
  });
}

void read_io_host_view_v1(const std::optional<fs::path>& blkio, const std::optional<fs::path>& memory, HostView& view) {
  if (memory) view.memory_usage_bytes = runtime::read_cgroup_number(*memory / "memory.usage_in_bytes");
  if (!blkio) return;
  const auto read = [&](const char* file) { return runtime::read_cgroup_file_if_exists(*blkio / file); };
  if (const auto text = read("blkio.throttle.io_service_bytes")) parse_blkio_v1_counts(*text, true, view.io_devices);
  if (const auto text = read("blkio.throttle.io_serviced")) parse_blkio_v1_counts(*text, false, view.io_devices);
  if (const auto text = read("blkio.throttle.read_bps_device")) parse_blkio_v1_limits(*text, true, view.io_devices);
  if (const auto text = read("blkio.throttle.read_iops_device")) parse_blkio_v1_limits(*text, false, view.io_devices);
}

void read_io_host_view_v2(const fs::path& dir, HostView& view) {
  view.memory_usage_bytes = runtime::read_cgroup_number(dir / "memory.current");
  if (const auto text = runtime::read_cgroup_file_if_exists(dir / "io.stat")) parse_io_stat_v2(*text, view.io_devices);
  if (const auto text = runtime::read_cgroup_file_if_exists(dir / "io.max")) parse_io_max_v2(*text, view.io_devices);
}

}  // namespace benchrun::harness
