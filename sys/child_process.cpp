#include "sys/child_process.hpp"

#include <sys/resource.h>
#include <sys/wait.h>

#include <fmt/format.h>
#include <array>
#include <cerrno>
#include <csignal>
#include <utility>

#include "sys/error.hpp"
#include "sys/retry.hpp"
#include "sys/syscalls.hpp"
#include "sys/wait.hpp"

namespace benchrun::sys {

ChildProcess::ChildProcess(pid_t pid, UniqueFd pidfd, Ownership ownership) noexcept
    : pid_(pid), pidfd_(std::move(pidfd)), ownership_(ownership) {}

ChildProcess ChildProcess::open(pid_t pid, Ownership ownership) {
  UniqueFd pidfd(pidfd_open(pid));
  if (!pidfd) throw_errno(fmt::format("pidfd_open {}", pid));
  return ChildProcess(pid, std::move(pidfd), ownership);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      ownership_(other.ownership_),
      status_(std::exchange(other.status_, std::nullopt)),
      usage_(std::exchange(other.usage_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    release_process();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    ownership_ = other.ownership_;
    status_ = std::exchange(other.status_, std::nullopt);
    usage_ = std::exchange(other.usage_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() { release_process(); }

void ChildProcess::release_process() noexcept {
  if (ownership_ == Ownership::owned) {
    kill_and_reap();
    return;
  }
  // Watched: its life is someone else's, but a child of ours that already exited is reaped, not left a
  // zombie. A look, not a wait.
  if (!running()) return;
  constexpr MonotonicNs already_passed = 0;
  const std::array<int, 1> fds{pidfd_.get()};
  std::array<bool, 1> readable{};
  try {
    if (wait_any_readable(fds, already_passed, -1, readable, "pidfd") == WaitEnd::readable) reap(monotonic_now());
  } catch (const Error&) {  // NOLINT(bugprone-empty-catch): never throws; nothing more to do for it
  }
}

void ChildProcess::reap(MonotonicNs seen_at) {
  siginfo_t info{};
  rusage resources{};
  ExitStatus status;
  status.at = seen_at;
  if (retry_eintr([&] { return waitid_pidfd(pidfd_.get(), info, WEXITED, resources); }) == 0) {
    if (info.si_code == CLD_EXITED) {
      status.exit_code = info.si_status;
    } else {
      status.signal = info.si_status;
    }
    usage_ = Usage{to_ns(resources.ru_utime) + to_ns(resources.ru_stime),
                   static_cast<std::uint64_t>(resources.ru_maxrss) * 1024};
  } else if (errno != ECHILD) {
    throw_errno(fmt::format("waitid pid {}", pid_));
  }
  // ECHILD: not our child (QEMU under a system libvirtd): its parent reaps it and learns how it ended.
  status_ = status;
  pidfd_.reset();
}

const ChildProcess::ExitStatus& ChildProcess::wait(MonotonicNs deadline, int wake_fd, std::string_view what) {
  if (status_) return *status_;
  if (!pidfd_) throw Error(fmt::format("{}: no process", what));
  wait_readable(pidfd_.get(), deadline, wake_fd, what);
  reap(monotonic_now());
  return *status_;
}

void ChildProcess::send_signal(int signal) {
  if (!running()) return;
  if (pidfd_send_signal(pidfd_.get(), signal) != 0 && errno != ESRCH) {
    throw_errno(fmt::format("send signal {} to pid {}", signal, pid_));
  }
}

void ChildProcess::kill_and_reap() noexcept {
  if (!running()) return;
  try {
    send_signal(SIGKILL);
    wait(kNoDeadline, -1, "reap a killed process");
  } catch (const Error&) {  // NOLINT(bugprone-empty-catch): never throws; a failed poll or waitid is all it could be
  }
}

}  // namespace benchrun::sys
