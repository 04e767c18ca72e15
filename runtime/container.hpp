// A running container instance: clone into new namespaces, cgroup with limits, overlay rootfs with
// pivot_root, dropped privileges, exec of the workload (normally benchinit). Move-only RAII: the
// destructor kills the instance and removes everything it created on the host (cgroup directories,
// state dir); mounts live in the instance's own mount namespace and go with it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>

#include "runtime/cgroup/cgroup.hpp"
#include "runtime/container_config.hpp"
#include "runtime/state_dir.hpp"
#include "sys/child_process.hpp"
#include "sys/clock.hpp"

namespace benchrun::runtime {

// Absolute CLOCK_MONOTONIC times of the launch phases, comparable with the host's monotonic_now().
struct PhaseTimes {
  sys::MonotonicNs start = 0;         // start() entered
  sys::MonotonicNs prepared = 0;      // state dir, cgroup and limits ready; about to clone
  sys::MonotonicNs cloned = 0;        // the init runs (its first instruction)
  sys::MonotonicNs cgroup_ready = 0;  // the init joined the cgroup and its cgroup namespace
  sys::MonotonicNs mounts_done = 0;   // overlay, /proc, /dev, /sys, /tmp mounted, pivot_root done, masks set
  sys::MonotonicNs exec = 0;          // just before execve of argv[0]
  // How the init entered its cgroup: clone_into_cgroup (in it from its first instruction; cgroup_ready
  // then marks only the cgroup namespace) or procs_write (its own write to cgroup.procs).
  CgroupJoin cgroup_join = CgroupJoin::procs_write;
};

struct ExitStatus {
  std::optional<int> exit_code;  // set when the init exited
  std::optional<int> signal;     // set when the init was killed by a signal
  bool oom_killed = false;       // the cgroup's OOM killer fired (in any process of the instance)
  sys::MonotonicNs at = 0;       // when the init's exit was seen
  // What a shell would report: the code, or 128 + signal.
  [[nodiscard]] int shell_code() const { return exit_code ? *exit_code : 128 + signal.value_or(0); }
};

// How this process's instances enter their cgroup on a host of `mode` (unless a config forces the
// cgroup.procs write): clone_into_cgroup on v2 where the kernel and the architecture allow it.
CgroupJoin cgroup_join_for(CgroupMode mode);

class Container {
 public:
  // Returns once the init has exec'd argv[0]; throws Error "container <name>: <step>: <errno>" (having
  // removed whatever it created) if any step fails, exec included.
  static Container start(const ContainerConfig& config);

  Container(Container&& other) noexcept;
  Container& operator=(Container&& other) noexcept;
  Container(const Container&) = delete;
  Container& operator=(const Container&) = delete;
  ~Container();  // destroy(), errors swallowed (sweep_leftovers() gets what is left)

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  // The init's pid in the host's pid namespace.
  [[nodiscard]] pid_t pid() const noexcept { return init_.pid(); }
  [[nodiscard]] const PhaseTimes& phases() const noexcept { return phases_; }
  // The instance's cgroup directories (one per v1 hierarchy), empty after destroy().
  [[nodiscard]] std::vector<std::filesystem::path> cgroup_paths() const;
  [[nodiscard]] const std::filesystem::path& state_dir() const noexcept { return state_dir_.path(); }

  // Waits for the init to exit and reaps it. Throws sys::Timeout at `deadline`, sys::Interrupted when
  // `wake_fd` (if >= 0) becomes readable first. After the first success every call returns the same status
  // at once.
  const ExitStatus& wait(sys::MonotonicNs deadline, int wake_fd);
  // The same, without a wake fd: nullopt if `timeout` passes first.
  std::optional<ExitStatus> wait_for(std::chrono::milliseconds timeout);
  ExitStatus wait();

  // Sends `signal` to the init (SIGKILL takes the whole pid namespace with it). No-op once reaped.
  void kill(int signal);

  // Read from the cgroup; valid until destroy().
  [[nodiscard]] CgroupStats stats() const;

  // Freezes every process of the instance in place, returning once the kernel reports them frozen, and lets
  // them run on (Cgroup::freeze). On v1 the config must have asked for it (freezable). Throw Timeout at
  // `deadline`, Error otherwise. destroy() ends a frozen instance too.
  void freeze(sys::MonotonicNs deadline);
  void thaw(sys::MonotonicNs deadline);

  // Kills and reaps the init, removes the cgroup and the state dir. Idempotent; reports the first
  // failure after trying every step.
  void destroy();

 private:
  Container() = default;

  std::string name_;
  StateDir state_dir_;
  std::unique_ptr<Cgroup> cgroup_;
  sys::ChildProcess init_;
  PhaseTimes phases_;
  std::optional<ExitStatus> exit_status_;
  bool frozen_ = false;  // a freeze was asked for and no thaw since
};

}  // namespace benchrun::runtime
