// What attaching a process to a cgroup costs on this host, cold (after an idle settle: on cgroup v1 the
// kernel's threadgroup rwsem then waits an RCU grace period) and warm (right after another attach), and
// whether the cgroup mounts carry `favordynmods`, the option that trades the cold cost away. For
// `benchrun doctor`; harness/runner.hpp says why the startup suite reports cold and warm starts apart.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchrun::runtime {

struct AttachCostOptions {
  std::filesystem::path cgroup_root = "/sys/fs/cgroup";
  // v1 hierarchies under cgroup_root: the ones every benchrun container joins.
  std::vector<std::string> hierarchies{"memory", "cpu", "cpuacct", "pids"};
  std::chrono::milliseconds settle{100};  // idle time before a cold attach (see cold_start_settle)
  int tries = 5;
};

struct AttachCost {
  double cold_ms = 0.0;  // median: one process attached to every hierarchy after `settle` with no attach
  double warm_ms = 0.0;  // median: the same for another process right after
  int tries = 0;
};

// Attaches paused child processes to a temporary cgroup `benchrun/doctor-<pid>` in each hierarchy (cgroup
// v1 only) and times the writes to cgroup.procs. Children, directories and an unused `benchrun` parent
// are removed on every path. Throws Error naming the step that failed.
AttachCost measure_attach_cost(const AttachCostOptions& options = {});

// "doctor-<pid>": the measurement's cgroup name, and back to the pid that owns it (nullopt for other names),
// so a sweep removes what a killed doctor left once its pid is gone.
std::string attach_cost_cgroup_name(pid_t owner);
std::optional<pid_t> attach_cost_cgroup_owner(std::string_view cgroup_name);

// Whether the host expedites every RCU grace period (/sys/kernel/rcu_expedited is 1, a host-wide knob):
// the cold attach then waits tens of microseconds instead of a normal grace period, so cold and warm
// starts look alike. nullopt when the file cannot be read.
std::optional<bool> rcu_grace_periods_expedited(const std::filesystem::path& knob = "/sys/kernel/rcu_expedited");

// A cgroup or cgroup2 mount as /proc/self/mountinfo shows it.
struct CgroupMount {
  std::filesystem::path mount_point;
  std::string fs_type;        // "cgroup" (v1) or "cgroup2"
  std::string super_options;  // e.g. "rw,memory" or "rw,nsdelegate,favordynmods"
  bool favordynmods = false;
};

// The cgroup mounts listed in `mountinfo` (the text of /proc/self/mountinfo), in its order.
std::vector<CgroupMount> parse_cgroup_mounts(std::string_view mountinfo);

}  // namespace benchrun::runtime
