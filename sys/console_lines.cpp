#include "sys/console_lines.hpp"

#include <poll.h>

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <utility>

#include "sys/retry.hpp"

namespace benchrun::sys {

void ConsoleLineSplitter::feed(std::string_view bytes, MonotonicNs at, std::deque<ConsoleLine>& lines) {
  for (const char c : bytes) {
    // Terminal escapes: ESC c (reset), ESC [ params final (CSI). Dropped so "BENCHRUN READY" matches.
    if (escape_ == Escape::started) {
      escape_ = c == '[' ? Escape::csi : Escape::none;
      continue;
    }
    if (escape_ == Escape::csi) {
      if (c >= 0x40 && c <= 0x7e) escape_ = Escape::none;
      continue;
    }
    if (c == '\x1b') {
      escape_ = Escape::started;
    } else if (c == '\n') {
      lines.push_back({std::exchange(partial_, {}), at});
    } else if (c != '\r') {
      partial_.push_back(c);
    }
  }
}

std::optional<ConsoleLine> ConsoleLineSplitter::flush(MonotonicNs at) {
  if (partial_.empty()) return std::nullopt;
  return ConsoleLine{std::exchange(partial_, {}), at};
}

int poll_timeout_ms(MonotonicNs deadline) {
  const MonotonicNs left = deadline - monotonic_now();
  if (left <= 0) return 0;
  return static_cast<int>(std::min<MonotonicNs>((left + 999'999) / 1'000'000, 60'000));
}

void wait_readable(int fd, MonotonicNs deadline, int wake_fd, std::string_view what) {
  for (;;) {
    std::array<pollfd, 2> fds{{{fd, POLLIN, 0}, {wake_fd, POLLIN, 0}}};
    const nfds_t count = wake_fd >= 0 ? 2 : 1;
    if (retry_eintr([&] { return ::poll(fds.data(), count, poll_timeout_ms(deadline)); }) < 0) {
      throw_errno(fmt::format("{}: poll", what));
    }
    if (fds[0].revents != 0) return;
    if (count == 2 && fds[1].revents != 0) throw Interrupted(fmt::format("{}: interrupted", what));
    if (monotonic_now() >= deadline) throw Timeout(fmt::format("{}: timed out", what));
  }
}

}  // namespace benchrun::sys
