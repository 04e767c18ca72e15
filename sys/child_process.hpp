// A process of ours held through a pidfd (never by a pid alone, which the kernel may give to another
// process once this one was reaped): its exit is waited for next to a deadline and a wake fd, it is reaped
// the moment it is seen to exit, and signals reach it and nothing else. An owned process is killed and
// reaped when its owner goes away; a watched one (QEMU, whose life is libvirt's) is left running.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>

#include "sys/clock.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::sys {

class ChildProcess {
 public:
  // What the destructor does to a process still running: kill and reap it, or leave it to its owner.
  enum class Ownership { owned, watched };

  struct ExitStatus {
    // Neither is set when the process was not our child: a pidfd shows any process's exit, but only the
    // parent can reap it and learn how it ended.
    std::optional<int> exit_code;  // it exited
    std::optional<int> signal;     // a signal killed it
    MonotonicNs at = 0;            // when its exit was seen (CLOCK_MONOTONIC)
  };
  // From its rusage, once we reaped it: the process and the children it reaped.
  struct Usage {
    std::uint64_t cpu_time_ns = 0;  // user + system
    std::uint64_t max_rss_bytes = 0;
  };

  ChildProcess() noexcept = default;
  // Takes a process and its pidfd (from clone with CLONE_PIDFD).
  ChildProcess(pid_t pid, UniqueFd pidfd, Ownership ownership = Ownership::owned) noexcept;
  // Opens a pidfd of `pid`: a child not yet reaped (posix_spawn, fork), or a process we watch. Throws
  // SystemError "pidfd_open <pid>: ..." (ESRCH: it is gone).
  static ChildProcess open(pid_t pid, Ownership ownership = Ownership::owned);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // owned: kill_and_reap(); watched: reaped if it already exited, else left running

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  // Holds a process whose exit was not seen yet.
  [[nodiscard]] bool running() const noexcept { return pidfd_.valid() && !status_; }
  // How it ended, once seen.
  [[nodiscard]] const std::optional<ExitStatus>& status() const noexcept { return status_; }
  // Set once we reaped it (not for a process that was not our child).
  [[nodiscard]] const std::optional<Usage>& usage() const noexcept { return usage_; }

  // Waits for the exit and reaps it; at once when it was seen before. Throws Timeout "<what>: timed out"
  // at `deadline`, Interrupted "<what>: interrupted" when `wake_fd` (if >= 0) is readable first (the
  // process keeps running either way), Error when there is no process.
  const ExitStatus& wait(MonotonicNs deadline, int wake_fd, std::string_view what = "wait for exit");
  // Sends `signal` through the pidfd. Nothing once its exit was seen; a process exiting meanwhile (ESRCH)
  // is no failure. Throws SystemError otherwise.
  void send_signal(int signal);
  // SIGKILL, then waits and reaps, if it still runs. Never throws.
  void kill_and_reap() noexcept;

 private:
  void reap(MonotonicNs seen_at);
  void release_process() noexcept;

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  Ownership ownership_ = Ownership::owned;
  std::optional<ExitStatus> status_;
  std::optional<Usage> usage_;
};

}  // namespace benchrun::sys
