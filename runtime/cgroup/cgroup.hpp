// One instance's cgroup, behind one interface for v1 (a directory per controller hierarchy) and v2
// (one directory in the unified tree). Directories live under a shared parent `benchrun` at each
// hierarchy's root: <root>/memory/benchrun/<name> on v1, <root>/benchrun/<name> on v2.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/cgroup/devices.hpp"
#include "runtime/cgroup/mode.hpp"
#include "runtime/cgroup/resources.hpp"
#include "sys/clock.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::runtime {

inline constexpr const char* cgroup_parent_name = "benchrun";

// How a container's init entered its cgroup: born there (clone3 CLONE_INTO_CGROUP, v2 only), or moved
// in by writing "0" to cgroup.procs before exec.
enum class CgroupJoin { procs_write, clone_into_cgroup };
// "procs_write" or "clone_into_cgroup".
std::string to_string(CgroupJoin join);

class Cgroup {
 public:
  virtual ~Cgroup() = default;

  // Writes the limits (and what the kernel needs before a task may join, e.g. v1 cpuset.mems).
  // Errors name the resource and the file: "cgroup cpuset: write .../cpuset.cpus: EINVAL (...)".
  virtual void apply(const ResourceLimits& limits) = 0;

  // Denies every device but `allowed` (v1: devices.deny "a" then a devices.allow line per rule; v2: a device
  // program attached to the directory, released with it). Before any task joins: none ever sees more.
  virtual void restrict_devices(std::span<const DeviceRule> allowed) = 0;

  // cgroup.procs of every directory, open for writing: a process joins them all by writing "0" to
  // each, which is how the container's init joins before exec without a round trip to the parent.
  [[nodiscard]] virtual std::vector<sys::UniqueFd> open_procs_for_join() const = 0;

  // On v2, the instance's directory open O_PATH for clone3's CLONE_INTO_CGROUP (clone_args.cgroup): the
  // init starts inside, and nothing writes cgroup.procs. nullopt on v1, where a process sits in one
  // cgroup per hierarchy and clone3 can name only one.
  [[nodiscard]] virtual std::optional<sys::UniqueFd> open_dir_for_clone() const = 0;

  [[nodiscard]] virtual CgroupStats stats() const = 0;

  // The OOM-kill counter alone (what an exit status needs, cheaper than stats()).
  [[nodiscard]] virtual std::optional<std::uint64_t> oom_kills() const = 0;

  // Freezes every process inside in place (runtime/cgroup/freezer.hpp) and returns once the kernel reports the
  // cgroup frozen; thaw() lets them run on. Throw Timeout at `deadline`, and Error on v1 when the cgroup was
  // made without the freezer hierarchy (OptionalControllers::freezer).
  virtual void freeze(sys::MonotonicNs deadline) = 0;
  virtual void thaw(sys::MonotonicNs deadline) = 0;

  // Kills what runs inside and removes every directory. Idempotent; the destructor does it silently.
  virtual void destroy() = 0;

  // Every directory of this cgroup (one per hierarchy on v1).
  [[nodiscard]] virtual std::vector<std::filesystem::path> paths() const = 0;
};

// The optional v1 hierarchies an instance joins. Memory, cpu, cpuacct and pids are always joined (they
// account what stats() reports); cpuset and blkio only when limited, since every hierarchy joined costs
// a migration (an RCU grace period on v1) at each start and a directory at each teardown. The freezer only
// for an instance that will be frozen (v2 needs nothing: cgroup.freeze is in every cgroup); devices only when
// the instance's devices are restricted (restrict_devices).
struct OptionalControllers {
  bool cpuset = true;
  bool io = true;
  bool freezer = true;
  bool devices = true;
};
OptionalControllers controllers_for(const ResourceLimits& limits);

// Creates the directories of cgroup `name` under `root` (mode chosen by the caller, see mode.hpp).
std::unique_ptr<Cgroup> create_cgroup(CgroupMode mode, const std::filesystem::path& root, const std::string& name,
                                      OptionalControllers optional = {});

// The stats of a cgroup someone else made (a peer runtime's): <hierarchy>/<relative> in every v1 hierarchy
// that has it, or <root>/<relative> on v2. Fields stay empty where nothing is there.
CgroupStats read_cgroup_stats(CgroupMode mode, const std::filesystem::path& root,
                              const std::filesystem::path& relative);

// The directories holding the `benchrun` parents on this layout: one per v1 hierarchy, or the root on v2.
std::vector<std::filesystem::path> cgroup_parent_dirs(CgroupMode mode, const std::filesystem::path& root);

}  // namespace benchrun::runtime
