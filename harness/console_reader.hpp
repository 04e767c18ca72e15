// A local instance's stdout as lines stamped on arrival (sys::LineReader), while the tail of its stderr is
// kept for failure messages. Waits end at the deadline or when a stop signal arrives.
#pragma once

#include <optional>
#include <string>

#include "harness/stop_signal.hpp"
#include "sys/line_reader.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::harness {

class ConsoleReader {
 public:
  ConsoleReader(sys::UniqueFd stdout_fd, sys::UniqueFd stderr_fd, StopSignal& stop);

  // nullopt once stdout closed. Throws Timeout at the deadline, Interrupted when a stop signal arrives.
  std::optional<sys::ConsoleLine> next_line(sys::MonotonicNs deadline);
  // The last bytes the instance wrote to stderr, including what is readable right now, without the
  // trailing line end.
  std::string stderr_tail();

 private:
  sys::LineReader reader_;
  StopSignal& stop_;
};

}  // namespace benchrun::harness
