#include "sys/wait.hpp"

#include <poll.h>

#include <fmt/format.h>
#include <algorithm>
#include <array>

#include "sys/retry.hpp"

namespace benchrun::sys {
namespace {

// The most fds a wait watches besides its wake fd (a child's stdout and stderr).
constexpr std::size_t kMaxWaitFds = 2;

}  // namespace

int poll_timeout_ms(MonotonicNs deadline) {
  constexpr MonotonicNs a_minute = 60'000'000'000;
  const MonotonicNs left = deadline - monotonic_now();  // no overflow: now is positive, kNoDeadline the max
  if (left <= 0) return 0;
  if (left >= a_minute) return 60'000;
  return static_cast<int>((left + 999'999) / 1'000'000);
}

WaitEnd wait_any_readable(std::span<const int> fds, MonotonicNs deadline, int wake_fd, std::span<bool> readable,
                          std::string_view what) {
  if (fds.size() > kMaxWaitFds || readable.size() != fds.size()) {
    throw Error(fmt::format("{}: wait on {} fds with room for {} answers (at most {})", what, fds.size(),
                            readable.size(), kMaxWaitFds));
  }
  std::array<pollfd, kMaxWaitFds + 1> polled{};
  for (std::size_t i = 0; i < fds.size(); ++i) polled[i] = {fds[i], POLLIN, 0};
  polled[fds.size()] = {wake_fd, POLLIN, 0};
  const auto count = static_cast<nfds_t>(fds.size() + 1);
  for (;;) {
    if (retry_eintr([&] { return ::poll(polled.data(), count, poll_timeout_ms(deadline)); }) < 0) {
      throw_errno(fmt::format("{}: poll", what));
    }
    bool any = false;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      readable[i] = polled[i].revents != 0;
      any = any || readable[i];
    }
    if (any) return WaitEnd::readable;
    if (polled[fds.size()].revents != 0) return WaitEnd::woken;
    if (monotonic_now() >= deadline) return WaitEnd::deadline;
  }
}

void wait_readable(int fd, MonotonicNs deadline, int wake_fd, std::string_view what) {
  const std::array<int, 1> fds{fd};
  std::array<bool, 1> readable{};
  switch (wait_any_readable(fds, deadline, wake_fd, readable, what)) {
    case WaitEnd::readable:
      return;
    case WaitEnd::woken:
      throw Interrupted(fmt::format("{}: interrupted", what));
    case WaitEnd::deadline:
      throw Timeout(fmt::format("{}: timed out", what));
  }
}

}  // namespace benchrun::sys
