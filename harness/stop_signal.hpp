// Ctrl-C and friends as a file descriptor: SIGINT, SIGTERM and SIGHUP are blocked and read from a
// signalfd, so every wait in benchrun (console, exit, libvirt) can poll for them next to what it waits
// on, and cleanup runs on the normal path instead of in a signal handler.
#pragma once

#include <csignal>
#include <optional>

#include "runtime/sys/unique_fd.hpp"

namespace benchrun::harness {

class StopSignal {
 public:
  // Blocks the signals in the calling thread; create it in main() before any thread starts so every
  // thread inherits the mask. Children must unblock them before exec (see reset_signals_for_exec).
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // The fd to poll for readability next to other fds.
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  // True once a stop signal arrived (latched: reading the fd consumes it).
  bool requested();
  // The signal that asked to stop, for the exit status (128 + signal).
  [[nodiscard]] std::optional<int> signal() const noexcept { return signal_; }

 private:
  sigset_t previous_mask_{};
  UniqueFd fd_;
  std::optional<int> signal_;
};

// In a freshly forked child, before exec: the default signal mask and dispositions.
void reset_signals_for_exec() noexcept;

}  // namespace benchrun::harness
