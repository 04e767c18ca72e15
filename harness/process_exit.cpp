#include "harness/process_exit.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <utility>

#include "harness/backend.hpp"
#include "harness/console_reader.hpp"
#include "sys/retry.hpp"

namespace benchrun::harness {

ProcessExit::ProcessExit(pid_t pid) : pid_(pid), pidfd_(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))) {
  if (!pidfd_) sys::throw_errno("pidfd_open");
}

ProcessExit::ProcessExit(ProcessExit&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      status_(other.status_),
      usage_(other.usage_) {}

ProcessExit& ProcessExit::operator=(ProcessExit&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    status_ = other.status_;
    usage_ = other.usage_;
  }
  return *this;
}

void ProcessExit::reap(int options) {
  int raw_status = 0;
  rusage resources{};
  const pid_t reaped = sys::retry_eintr([&] { return ::wait4(pid_, &raw_status, options, &resources); });
  if (reaped <= 0) return;
  Status status;
  status.at = sys::monotonic_now();
  if (WIFEXITED(raw_status)) status.exit_code = WEXITSTATUS(raw_status);
  if (WIFSIGNALED(raw_status)) status.signal = WTERMSIG(raw_status);
  status_ = status;
  usage_ = Usage{sys::to_ns(resources.ru_utime) + sys::to_ns(resources.ru_stime)};
  pidfd_.reset();
}

ProcessExit::Status ProcessExit::wait(sys::MonotonicNs deadline, StopSignal& stop) {
  while (!status_) {
    if (pid_ < 0) throw sys::Error("wait: no process");
    wait_readable(pidfd_.get(), deadline, stop, "wait for exit");
    reap(WNOHANG);
  }
  return *status_;
}

void ProcessExit::kill_and_reap() noexcept {
  if (pid_ < 0 || status_) return;
  ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0);
  try {
    reap(0);
  } catch (...) {
  }
}

}  // namespace benchrun::harness
