// A child process of benchrun, owned: waited for through a pidfd (so waits can also watch for a stop
// request and a deadline), killed and reaped when its owner goes away.
#pragma once

#include <sys/types.h>

#include <optional>

#include "harness/stop_signal.hpp"
#include "sys/clock.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::harness {

class ProcessExit {
 public:
  struct Status {
    std::optional<int> exit_code;
    std::optional<int> signal;
    sys::MonotonicNs at = 0;
  };
  struct Usage {
    std::uint64_t cpu_time_ns = 0;
  };

  ProcessExit() = default;
  explicit ProcessExit(pid_t pid);
  ProcessExit(ProcessExit&& other) noexcept;
  ProcessExit& operator=(ProcessExit&& other) noexcept;
  ProcessExit(const ProcessExit&) = delete;
  ProcessExit& operator=(const ProcessExit&) = delete;
  ~ProcessExit() { kill_and_reap(); }

  // Reaps the process once it ended. Throws Timeout / Interrupted (the process keeps running).
  Status wait(sys::MonotonicNs deadline, StopSignal& stop);
  // CPU time of the reaped process and of its reaped children.
  [[nodiscard]] std::optional<Usage> usage() const { return usage_; }
  // SIGKILL and reap, if still there. Never throws.
  void kill_and_reap() noexcept;

 private:
  void reap(int options);

  pid_t pid_ = -1;
  sys::UniqueFd pidfd_;
  std::optional<Status> status_;
  std::optional<Usage> usage_;
};

}  // namespace benchrun::harness
