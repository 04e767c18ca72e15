// Reads a local instance's stdout line by line, stamping each line when it arrives, while keeping the tail
// of its stderr for failure messages. Waits wake for the deadline and for a stop request alike.
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "harness/stop_signal.hpp"
#include "sys/console_lines.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::harness {

class ConsoleReader {
 public:
  ConsoleReader(sys::UniqueFd stdout_fd, sys::UniqueFd stderr_fd, StopSignal& stop);

  // nullopt once stdout closed. Throws Timeout at the deadline, Interrupted when a stop signal arrives.
  std::optional<sys::ConsoleLine> next_line(sys::MonotonicNs deadline);
  // The last bytes the instance wrote to stderr, including what is readable right now.
  std::string stderr_tail();

 private:
  void read_stderr();
  void read_stdout();

  sys::UniqueFd stdout_fd_;
  sys::UniqueFd stderr_fd_;
  StopSignal& stop_;
  sys::ConsoleLineSplitter splitter_;
  std::deque<sys::ConsoleLine> lines_;
  std::string stderr_tail_;
};

// Blocks until `fd` is readable, the deadline passes (Timeout) or a stop arrives (Interrupted).
inline void wait_readable(int fd, sys::MonotonicNs deadline, StopSignal& stop, std::string_view what) {
  sys::wait_readable(fd, deadline, stop.fd(), what);
}

}  // namespace benchrun::harness
