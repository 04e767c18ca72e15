// The vocabulary of every wait on an instance's output, shared by the container, native and vm paths:
// a console line stamped on arrival, the splitter that makes lines from bytes, and the two ways a wait
// ends early (its deadline passed; a wake fd, the harness's stop signalfd, became readable).
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "sys/clock.hpp"
#include "sys/error.hpp"

namespace benchrun::sys {

struct ConsoleLine {
  std::string text;    // without the line end and without terminal escape sequences (SeaBIOS sends some)
  MonotonicNs at = 0;  // when its last byte arrived
};

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

// Splits console bytes into lines. Pure: fed bytes and the time they arrived, it yields lines.
class ConsoleLineSplitter {
 public:
  void feed(std::string_view bytes, MonotonicNs at, std::deque<ConsoleLine>& lines);
  // The unfinished last line, if any (at end of output).
  std::optional<ConsoleLine> flush(MonotonicNs at);

 private:
  enum class Escape { none, started, csi };
  std::string partial_;
  Escape escape_ = Escape::none;
};

// poll() timeout in ms until `deadline`, rounded up, at least 0, at most a minute.
int poll_timeout_ms(MonotonicNs deadline);

// Blocks until `fd` is readable. Throws Timeout at `deadline`, Interrupted when `wake_fd` (if >= 0) is
// readable first; `what` names the wait in both messages. The wake fd is not read.
void wait_readable(int fd, MonotonicNs deadline, int wake_fd, std::string_view what);

}  // namespace benchrun::sys
