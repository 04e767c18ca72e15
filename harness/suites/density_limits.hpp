// The kernel limits that cap how many instances one host holds at once: read from /proc (a fake tree in
// tests), with what each instance takes of them, so the density suite can say before a run which one stops
// `--count N` first, stop right before one is hit (named, never silently), or raise it for the run when the
// user consents (--raise-limits) and put it back afterwards.
//
// Not modelled, and why: fs.mount-max counts mounts per mount namespace (each container has its own and
// benchrun mounts nothing on the host); fs.inotify.max_user_instances (no backend's instance takes an
// inotify instance); cgroup.max.descendants (cgroup v2 only, unlimited unless an admin set it; a refusal
// shows as EAGAIN, mapped below).
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::harness {

// What a limit's in_use counts, and so how it is read again during a run.
enum class LimitCounter { tasks, files, memory_cgroups, own_fds, namespaces };

// One limit on something every instance takes a share of.
struct KernelLimit {
  LimitCounter counter = LimitCounter::tasks;
  std::string name;  // how a user looks it up: "kernel.pid_max", "RLIMIT_NOFILE", "user.max_net_namespaces"
  std::string what;  // what it counts, e.g. "tasks on the host"
  std::uint64_t limit = 0;
  std::uint64_t in_use = 0;   // when read
  std::uint64_t reserve = 0;  // what must stay free (the kernel's reserved pids, benchrun's own fds)
  double per_instance = 0.0;  // what one more instance takes; 0: this backend's instances take none
  bool measured = false;      // per_instance measured on this run's instances (else the backend's estimate)
  bool raisable = false;      // a sysctl or rlimit benchrun may raise for the run (--raise-limits)
};

// How many more instances fit under the limit; UINT64_MAX when an instance takes none of it.
std::uint64_t instances_left(const KernelLimit& limit);

struct LimitPrediction {
  KernelLimit limit;
  std::uint64_t instances = 0;  // how many more instances it lets start
};
// The limit that lets the fewest more instances start, if it lets fewer than `wanted`.
std::optional<LimitPrediction> first_limit_reached(std::span<const KernelLimit> limits, std::uint64_t wanted);

// "kernel.pid_max: 32768 (in use 412, 2 per instance, estimated): 16178 more instances".
std::string describe(const KernelLimit& limit);

// The limit a launch failing with this errno points at, for the stop reason; nullopt for other errors.
std::optional<std::string> limit_named_by_errno(int errno_value);

// Pure parsers of the /proc files read below (exposed for tests).
std::optional<std::uint64_t> meminfo_kib(std::string_view meminfo, std::string_view key);  // "MemAvailable"
std::optional<std::uint64_t> loadavg_tasks(std::string_view loadavg);    // "0.1 0.2 0.3 2/412 999" -> 412
std::optional<std::uint64_t> allocated_files(std::string_view file_nr);  // "1344 0 2466112" -> 1344
std::optional<std::uint64_t> cgroup_count(std::string_view proc_cgroups, std::string_view controller);

// The namespaces an instance of a backend kind creates, as the user.max_<kind>_namespaces sysctls name them.
std::vector<std::string> namespaces_per_instance(reports::BackendKind kind);

// Reads what the limits stand at, from a /proc tree.
class HostProbe {
 public:
  explicit HostProbe(std::filesystem::path proc_root = "/proc") : proc_(std::move(proc_root)) {}

  [[nodiscard]] std::uint64_t sysctl(std::string_view name) const;  // "kernel.pid_max" -> /proc/sys/kernel/pid_max
  void set_sysctl(std::string_view name, std::uint64_t value) const;
  [[nodiscard]] std::uint64_t mem_total_bytes() const;
  [[nodiscard]] std::uint64_t mem_available_bytes() const;
  [[nodiscard]] std::uint64_t tasks() const;  // threads on the host
  [[nodiscard]] std::uint64_t files() const;  // file handles allocated host-wide
  [[nodiscard]] std::optional<std::uint64_t> memory_cgroups() const;
  [[nodiscard]] std::uint64_t open_fds_of_self() const;
  // Distinct namespaces of one kind ("net") that the host's processes are in.
  [[nodiscard]] std::uint64_t namespaces_in_use(std::string_view kind) const;

 private:
  [[nodiscard]] std::string read(const std::filesystem::path& relative) const;
  std::filesystem::path proc_;
};

// The limits for a backend kind as they stand, with each instance's share estimated for the kind (see
// density_limits.cpp) until measured; RLIMIT_NOFILE as `nofile` says.
std::vector<KernelLimit> read_limits(const HostProbe& probe, reports::BackendKind kind, const rlimit& nofile);

// Tracks the limits over a run: the baseline at the start, each instance's share measured on the instances
// alive (usage now minus at the start, over the instances alive) once a few are up.
class LimitWatch {
 public:
  LimitWatch(const HostProbe& probe, reports::BackendKind kind);
  // The limits with `alive` instances up (and `in_flight` more starting); RLIMIT_NOFILE is read afresh.
  [[nodiscard]] std::vector<KernelLimit> read(std::uint64_t alive) const;
  // Called with the number of instances alive after each one is READY: counted in /proc/self/fd for the
  // first few and at powers of two, extrapolated in between (counting 20000 fds per launch would cost
  // more than the launch).
  void note_alive(std::uint64_t alive);

 private:
  const HostProbe& probe_;
  std::vector<KernelLimit> baseline_;
  std::uint64_t fds_at_start_ = 0;
  std::optional<double> fds_per_instance_;
};

// The limit that blocks starting one more instance now (with `in_flight` others starting), if any.
std::optional<KernelLimit> blocking_limit(std::span<const KernelLimit> limits, std::uint64_t in_flight);

// Limits raised for one run (--raise-limits), put back in reverse order when it ends, also on Ctrl-C and
// on errors (the destructor). Each change is recorded for the report.
class RaisedLimits {
 public:
  explicit RaisedLimits(const HostProbe& probe) : probe_(probe) {}
  ~RaisedLimits();
  RaisedLimits(const RaisedLimits&) = delete;
  RaisedLimits& operator=(const RaisedLimits&) = delete;

  // Raises `limit` so that `more` instances fit; false when it cannot be (not raisable, a ceiling such as
  // fs.nr_open below what is needed, or the write failed: `why_not` says which).
  bool raise_for(const KernelLimit& limit, std::uint64_t more, std::string& why_not);
  // "raised kernel.pid_max from 32768 to 65536 for the run", one per change.
  [[nodiscard]] std::vector<std::string> changes() const;
  // Puts everything back; idempotent.
  void restore() noexcept;

 private:
  struct Change {
    std::string name;
    std::uint64_t from = 0;
    std::uint64_t to = 0;
  };
  const HostProbe& probe_;
  std::vector<Change> changes_;
  std::optional<rlimit> original_nofile_;
  bool restored_ = false;
};

// Raises the soft RLIMIT_NOFILE to the hard one: ours to do, no consent needed. Returns "raised ..." when
// it changed something.
std::optional<std::string> raise_nofile_soft_limit();

}  // namespace benchrun::harness
