#include "harness/stop_signal.hpp"

#include <sys/signalfd.h>
#include <unistd.h>

#include "sys/error.hpp"
#include "sys/retry.hpp"

namespace benchrun::harness {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

StopSignal::StopSignal() {
  const sigset_t set = stop_signals();
  if (pthread_sigmask(SIG_BLOCK, &set, &previous_mask_) != 0)
    throw sys::Error("block stop signals: pthread_sigmask failed");
  fd_ = sys::UniqueFd(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd_) sys::throw_errno("signalfd");
}

StopSignal::~StopSignal() {
  fd_.reset();
  pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
}

std::optional<int> StopSignal::signal() {
  if (signal_) return signal_;
  signalfd_siginfo info{};
  const ssize_t got = sys::retry_eintr([&] { return ::read(fd_.get(), &info, sizeof info); });
  if (got == static_cast<ssize_t>(sizeof info)) signal_ = static_cast<int>(info.ssi_signo);
  return signal_;
}

}  // namespace benchrun::harness
