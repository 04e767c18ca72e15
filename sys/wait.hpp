// Every blocking wait of benchrun on file descriptors (console output, a pidfd) in one place: it ends when
// what it waits on is readable, at its deadline, or when a wake fd (the harness's stop signalfd) becomes
// readable, and says which.
#pragma once

#include <limits>
#include <span>
#include <string_view>

#include "sys/clock.hpp"
#include "sys/error.hpp"

namespace benchrun::sys {

// Thrown by waits when their deadline passes.
class Timeout : public Error {
 public:
  using Error::Error;
};

// Thrown by waits when their wake fd becomes readable (a stop was requested).
class Interrupted : public Error {
 public:
  using Error::Error;
};

// A deadline that never passes: the wait ends only on what it waits for or on its wake fd.
inline constexpr MonotonicNs kNoDeadline = std::numeric_limits<MonotonicNs>::max();

// poll() timeout in ms until `deadline`, rounded up, at least 0, at most a minute.
int poll_timeout_ms(MonotonicNs deadline);

// How a wait ended. When several hold at once, the first listed wins: what arrived together with a stop
// request is still delivered, and a stop counts before a deadline.
enum class WaitEnd { readable, woken, deadline };

// Blocks until one of `fds` is readable (data, end of file or hang-up), `wake_fd` is readable, or
// `deadline` passes. Negative entries, and a negative `wake_fd`, are ignored as poll(2) ignores them.
// `readable` (as long as `fds`) tells which of `fds` can be read; the wake fd is not read. Throws
// SystemError "<what>: poll" if poll fails.
WaitEnd wait_any_readable(std::span<const int> fds, MonotonicNs deadline, int wake_fd, std::span<bool> readable,
                          std::string_view what);

// Blocks until `fd` is readable. Throws Timeout "<what>: timed out" at `deadline`, Interrupted
// "<what>: interrupted" when `wake_fd` (if >= 0) is readable first.
void wait_readable(int fd, MonotonicNs deadline, int wake_fd, std::string_view what);

}  // namespace benchrun::sys
