// Ctrl-C and friends as a file descriptor: SIGINT, SIGTERM and SIGHUP are blocked and read from a
// signalfd, so every wait in benchrun (console, exit, libvirt) can poll for them next to what it waits
// on, and cleanup runs on the normal path instead of in a signal handler.
#pragma once

#include <csignal>
#include <optional>

#include "sys/unique_fd.hpp"

namespace benchrun::harness {

class StopSignal {
 public:
  // Blocks the signals in the calling thread; create it in main() before any thread starts so every
  // thread inherits the mask. Children must unblock them before exec: every launch path does.
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // The fd to poll for readability next to other fds. A pending signal keeps it readable, so every
  // later wait sees the stop too, until signal() consumes it.
  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  // The signal that asked to stop, for messages and the exit status (128 + signal); nullopt when none
  // arrived. Reads the fd once a signal is pending and remembers it.
  std::optional<int> signal();

 private:
  sigset_t previous_mask_{};
  sys::UniqueFd fd_;
  std::optional<int> signal_;
};

}  // namespace benchrun::harness
