#include "harness/suites/density_limits.hpp"

#include <sys/resource.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <limits>
#include <set>
#include <sstream>

#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::harness {
namespace {

constexpr std::uint64_t unlimited = std::numeric_limits<std::uint64_t>::max();
// Pids the kernel keeps for itself below pid_max (RESERVED_PIDS in kernel/pid.c).
constexpr std::uint64_t reserved_pids = 300;
// Descriptors benchrun needs besides its instances' (reports, libvirt, the samples log).
constexpr std::uint64_t own_fd_reserve = 64;
// memcg ids are 16 bits (MEM_CGROUP_ID_MAX); dying cgroups keep theirs until freed.
constexpr std::uint64_t memcg_id_max = 65535;
// Ceilings of the sysctls raised for a run (PID_MAX_LIMIT on 64-bit; threads-max's FUTEX_TID_MASK).
constexpr std::uint64_t pid_max_ceiling = 4'194'304;
constexpr std::uint64_t threads_max_ceiling = 0x3fffffff;
// Instances the first fd count waits for before extrapolating (a few, so one odd launch does not skew it).
constexpr std::uint64_t fd_calibration_instances = 4;
// When raising: head room over what the remaining instances need, as the shares are measured averages.
constexpr double raise_margin = 1.25;

std::optional<std::uint64_t> parse_number(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  return value;
}

// What one instance of a backend kind is estimated to take before any was measured; measured on the run's
// own instances as soon as one is up (LimitWatch). Container and OCI: benchinit and the workload; a guest:
// QEMU's threads (main, vCPU, RCU, I/O workers).
struct Estimates {
  double tasks = 2;
  double files = 8;
  double memcgs = 1;
  double own_fds = 4;  // console pipe, stderr pipe, pidfd, one spare
};

Estimates estimates_for(reports::BackendKind kind) {
  switch (kind) {
    case reports::BackendKind::native:
      return {2, 6, 0, 3};
    case reports::BackendKind::container:
    case reports::BackendKind::oci:
      return {};
    case reports::BackendKind::vm:
      return {8, 40, 1, 6};
  }
  return {};
}

KernelLimit sysctl_limit(const HostProbe& probe, LimitCounter counter, std::string name, std::string what,
                         std::uint64_t in_use, double per_instance, std::uint64_t reserve = 0) {
  const std::uint64_t limit = probe.sysctl(name);
  return {counter, std::move(name), std::move(what), limit, in_use, reserve, per_instance, false, true};
}

// What a host-wide counter stands at now.
std::optional<std::uint64_t> count_now(const HostProbe& probe, LimitCounter counter) {
  switch (counter) {
    case LimitCounter::tasks:
      return probe.tasks();
    case LimitCounter::files:
      return probe.files();
    case LimitCounter::memory_cgroups:
      return probe.memory_cgroups();
    case LimitCounter::own_fds:
    case LimitCounter::namespaces:
      break;
  }
  return std::nullopt;
}

}  // namespace

std::uint64_t instances_left(const KernelLimit& limit) {
  if (limit.per_instance <= 0.0) return unlimited;
  const std::uint64_t taken = limit.in_use + limit.reserve;
  if (taken >= limit.limit) return 0;
  return static_cast<std::uint64_t>(static_cast<double>(limit.limit - taken) / limit.per_instance);
}

std::optional<LimitPrediction> first_limit_reached(std::span<const KernelLimit> limits, std::uint64_t wanted) {
  std::optional<LimitPrediction> first;
  for (const KernelLimit& limit : limits) {
    const std::uint64_t left = instances_left(limit);
    if (left < wanted && (!first || left < first->instances)) first = LimitPrediction{limit, left};
  }
  return first;
}

std::optional<KernelLimit> blocking_limit(std::span<const KernelLimit> limits, std::uint64_t in_flight) {
  for (const KernelLimit& limit : limits) {
    if (instances_left(limit) <= in_flight) return limit;
  }
  return std::nullopt;
}

std::string describe(const KernelLimit& limit) {
  const std::uint64_t left = instances_left(limit);
  return fmt::format("{} = {} ({}: {} in use{}, {:.3g} per instance{}): {}", limit.name, limit.limit, limit.what,
                     limit.in_use, limit.reserve > 0 ? fmt::format(", {} kept free", limit.reserve) : "",
                     limit.per_instance, limit.measured ? " measured" : " estimated",
                     left == unlimited ? std::string("no cap") : fmt::format("room for {} more instances", left));
}

std::optional<std::string> limit_named_by_errno(int errno_value) {
  switch (errno_value) {
    case EMFILE:
      return "RLIMIT_NOFILE (benchrun's open files, EMFILE)";
    case ENFILE:
      return "fs.file-max (open files host-wide, ENFILE)";
    case EAGAIN:
      return "kernel.pid_max, kernel.threads-max, RLIMIT_NPROC or a pids/cgroup cap (EAGAIN)";
    case ENOSPC:
      return "user.max_*_namespaces, memory cgroup ids (65535) or cgroup.max.descendants (ENOSPC)";
    case ENOMEM:
      return "memory (ENOMEM)";
    case EUSERS:
      return "user namespace nesting (EUSERS)";
    default:
      return std::nullopt;
  }
}

std::optional<std::uint64_t> meminfo_kib(std::string_view meminfo, std::string_view key) {
  std::size_t at = 0;
  while (at < meminfo.size()) {
    const std::size_t end = std::min(meminfo.find('\n', at), meminfo.size());
    const std::string_view line = meminfo.substr(at, end - at);
    if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == ':')
      return parse_number(line.substr(key.size() + 1));
    at = end + 1;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> loadavg_tasks(std::string_view loadavg) {
  const std::size_t slash = loadavg.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  return parse_number(loadavg.substr(slash + 1));
}

std::optional<std::uint64_t> allocated_files(std::string_view file_nr) { return parse_number(file_nr); }

std::optional<std::uint64_t> cgroup_count(std::string_view proc_cgroups, std::string_view controller) {
  // "#subsys_name hierarchy num_cgroups enabled", one controller per line.
  std::istringstream lines{std::string(proc_cgroups)};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string name;
    std::uint64_t hierarchy = 0;
    std::uint64_t count = 0;
    if (fields >> name >> hierarchy >> count && name == controller) return count;
  }
  return std::nullopt;
}

std::vector<std::string> namespaces_per_instance(reports::BackendKind kind) {
  if (kind == reports::BackendKind::container || kind == reports::BackendKind::oci)
    return {"mnt", "pid", "uts", "ipc", "net", "cgroup"};
  return {};
}

std::string HostProbe::read(const std::filesystem::path& relative) const { return sys::read_file(proc_ / relative); }

std::uint64_t HostProbe::sysctl(std::string_view name) const {
  std::string relative(name);
  std::replace(relative.begin(), relative.end(), '.', '/');
  const auto value = parse_number(read(std::filesystem::path("sys") / relative));
  if (!value) throw sys::Error(fmt::format("sysctl {}: not a number", name));
  return *value;
}

void HostProbe::set_sysctl(std::string_view name, std::uint64_t value) const {
  std::string relative(name);
  std::replace(relative.begin(), relative.end(), '.', '/');
  sys::write_file(proc_ / "sys" / relative, std::to_string(value));
}

std::uint64_t HostProbe::mem_total_bytes() const { return meminfo_kib(read("meminfo"), "MemTotal").value_or(0) << 10; }

std::uint64_t HostProbe::mem_available_bytes() const {
  return meminfo_kib(read("meminfo"), "MemAvailable").value_or(0) << 10;
}

std::uint64_t HostProbe::tasks() const { return loadavg_tasks(read("loadavg")).value_or(0); }

std::uint64_t HostProbe::files() const { return allocated_files(read("sys/fs/file-nr")).value_or(0); }

std::optional<std::uint64_t> HostProbe::memory_cgroups() const {
  const auto text = sys::read_file_if_present(proc_ / "cgroups");
  return text ? cgroup_count(*text, "memory") : std::nullopt;
}

std::uint64_t HostProbe::open_fds_of_self() const {
  std::error_code error;
  std::uint64_t count = 0;
  for (std::filesystem::directory_iterator it(proc_ / "self/fd", error), end; !error && it != end; it.increment(error))
    ++count;
  return count;
}

std::uint64_t HostProbe::namespaces_in_use(std::string_view kind) const {
  std::set<std::string> seen;
  std::error_code error;
  for (std::filesystem::directory_iterator it(proc_, error), end; !error && it != end; it.increment(error)) {
    const std::string pid = it->path().filename().string();
    if (pid.empty() || !std::all_of(pid.begin(), pid.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    std::error_code link_error;
    const auto target = std::filesystem::read_symlink(it->path() / "ns" / kind, link_error);
    if (!link_error) seen.insert(target.string());  // "net:[4026531840]"; a process that is gone has none
  }
  return seen.size();
}

std::vector<KernelLimit> read_limits(const HostProbe& probe, reports::BackendKind kind, const rlimit& nofile) {
  const Estimates estimate = estimates_for(kind);
  std::vector<KernelLimit> limits;
  const std::uint64_t tasks = probe.tasks();
  limits.push_back(sysctl_limit(probe, LimitCounter::tasks, "kernel.pid_max", "tasks on the host", tasks,
                                estimate.tasks, reserved_pids));
  limits.push_back(
      sysctl_limit(probe, LimitCounter::tasks, "kernel.threads-max", "tasks on the host", tasks, estimate.tasks));
  limits.push_back(
      sysctl_limit(probe, LimitCounter::files, "fs.file-max", "open files host-wide", probe.files(), estimate.files));
  limits.push_back(KernelLimit{LimitCounter::own_fds, "RLIMIT_NOFILE", "benchrun's open files", nofile.rlim_cur,
                               probe.open_fds_of_self(), own_fd_reserve, estimate.own_fds, false, true});
  if (const auto memcgs = probe.memory_cgroups(); memcgs && estimate.memcgs > 0) {
    limits.push_back(KernelLimit{LimitCounter::memory_cgroups, "memory cgroup ids", "memory cgroups", memcg_id_max,
                                 *memcgs, 0, estimate.memcgs, false, false});
  }
  for (const std::string& namespace_kind : namespaces_per_instance(kind)) {
    limits.push_back(
        sysctl_limit(probe, LimitCounter::namespaces, fmt::format("user.max_{}_namespaces", namespace_kind),
                     fmt::format("{} namespaces", namespace_kind), probe.namespaces_in_use(namespace_kind), 1.0));
  }
  return limits;
}

namespace {

rlimit current_nofile() {
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) != 0) sys::throw_errno("getrlimit(RLIMIT_NOFILE)");
  return nofile;
}

}  // namespace

LimitWatch::LimitWatch(const HostProbe& probe, reports::BackendKind kind)
    : probe_(probe), baseline_(read_limits(probe, kind, current_nofile())), fds_at_start_(probe.open_fds_of_self()) {}

void LimitWatch::note_alive(std::uint64_t alive) {
  // Counted on the first few, then again at every power of two: launches in flight hold fds of their own
  // (pipes, the init's report pipe), which skew a count over few instances (5.75 per container measured
  // over 4 with --parallel 2, 3.0 over thousands); log2(count) counts of at most count*3 entries stay cheap.
  const bool power_of_two = (alive & (alive - 1)) == 0;
  if (alive == 0 || (alive > fd_calibration_instances && !power_of_two)) return;
  const std::uint64_t fds = probe_.open_fds_of_self();
  fds_per_instance_ = static_cast<double>(fds > fds_at_start_ ? fds - fds_at_start_ : 0) / static_cast<double>(alive);
}

std::vector<KernelLimit> LimitWatch::read(std::uint64_t alive) const {
  std::vector<KernelLimit> limits = baseline_;
  for (KernelLimit& limit : limits) {
    switch (limit.counter) {
      case LimitCounter::own_fds:
        // Counted on the first instances, extrapolated after (see note_alive).
        limit.limit = current_nofile().rlim_cur;
        if (fds_per_instance_) {
          limit.in_use = fds_at_start_ + static_cast<std::uint64_t>(*fds_per_instance_ * static_cast<double>(alive));
          limit.per_instance = *fds_per_instance_;
          limit.measured = true;
        }
        continue;
      case LimitCounter::namespaces:
        // One per instance, counted rather than rescanned (a scan of /proc per launch would cost more than
        // the launch).
        limit.limit = probe_.sysctl(limit.name);
        limit.in_use += alive;
        continue;
      case LimitCounter::tasks:
      case LimitCounter::files:
      case LimitCounter::memory_cgroups:
        break;
    }
    if (limit.raisable) limit.limit = probe_.sysctl(limit.name);  // it may have been raised meanwhile
    const std::optional<std::uint64_t> now = count_now(probe_, limit.counter);
    if (!now) continue;
    const std::uint64_t at_start = limit.in_use;
    limit.in_use = *now;
    // Other processes on the host move these counters too: the share is what the counter grew by on
    // average over the run's instances, never below zero.
    if (alive > 0) {
      limit.per_instance = static_cast<double>(*now > at_start ? *now - at_start : 0) / static_cast<double>(alive);
      limit.measured = true;
    }
  }
  return limits;
}

RaisedLimits::~RaisedLimits() { restore(); }

bool RaisedLimits::raise_for(const KernelLimit& limit, std::uint64_t more, std::string& why_not) {
  if (!limit.raisable) {
    why_not = fmt::format("{} cannot be raised", limit.name);
    return false;
  }
  const auto needed =
      static_cast<std::uint64_t>(static_cast<double>(limit.in_use + limit.reserve) +
                                 std::max(limit.per_instance, 1.0) * static_cast<double>(more) * raise_margin);
  const std::uint64_t target = std::max(needed, limit.limit + 1);
  try {
    if (limit.name == "RLIMIT_NOFILE") {
      const std::uint64_t ceiling = probe_.sysctl("fs.nr_open");
      if (target > ceiling) {
        why_not = fmt::format("RLIMIT_NOFILE would need {} > fs.nr_open {}", target, ceiling);
        return false;
      }
      rlimit nofile = current_nofile();
      if (!original_nofile_) original_nofile_ = nofile;
      const Change change{limit.name, nofile.rlim_cur, target};
      nofile.rlim_cur = target;
      nofile.rlim_max = std::max<rlim_t>(nofile.rlim_max, target);
      if (::setrlimit(RLIMIT_NOFILE, &nofile) != 0) sys::throw_errno("setrlimit(RLIMIT_NOFILE)");
      changes_.push_back(change);
      return true;
    }
    const std::uint64_t ceiling = limit.name == "kernel.pid_max"       ? pid_max_ceiling
                                  : limit.name == "kernel.threads-max" ? threads_max_ceiling
                                                                       : unlimited;
    if (target > ceiling) {
      why_not = fmt::format("{} would need {}, above its ceiling {}", limit.name, target, ceiling);
      return false;
    }
    const std::uint64_t before = probe_.sysctl(limit.name);
    probe_.set_sysctl(limit.name, target);
    changes_.push_back(Change{limit.name, before, target});
    return true;
  } catch (const sys::Error& error) {
    why_not = fmt::format("raising {}: {}", limit.name, error.what());
    return false;
  }
}

std::vector<std::string> RaisedLimits::changes() const {
  std::vector<std::string> lines;
  for (const Change& change : changes_) {
    lines.push_back(fmt::format("{} raised from {} to {} for the run (--raise-limits){}", change.name, change.from,
                                change.to, restored_ ? ", restored afterwards" : ""));
  }
  return lines;
}

void RaisedLimits::restore() noexcept {
  if (restored_) return;
  restored_ = true;
  for (auto change = changes_.rbegin(); change != changes_.rend(); ++change) {
    try {
      if (change->name == "RLIMIT_NOFILE") {
        if (original_nofile_ && ::setrlimit(RLIMIT_NOFILE, &*original_nofile_) != 0)
          sys::throw_errno("setrlimit(RLIMIT_NOFILE)");
      } else {
        probe_.set_sysctl(change->name, change->from);
      }
    } catch (...) {  // nothing to do better here: the report says what was raised
    }
  }
}

std::optional<std::string> raise_nofile_soft_limit() {
  rlimit nofile = current_nofile();
  if (nofile.rlim_cur >= nofile.rlim_max) return std::nullopt;
  const rlim_t before = nofile.rlim_cur;
  nofile.rlim_cur = nofile.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &nofile) != 0) sys::throw_errno("setrlimit(RLIMIT_NOFILE)");
  return fmt::format("RLIMIT_NOFILE soft limit raised from {} to its hard limit {} (benchrun's own)", before,
                     nofile.rlim_max);
}

}  // namespace benchrun::harness
