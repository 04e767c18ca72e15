// The vocabulary of every wait on an instance's output, shared by the container, native and vm paths:
// a console line stamped on arrival, the splitter that makes lines from bytes, and (from sys/wait.hpp)
// the two ways a wait for one ends early: Timeout and Interrupted. sys/line_reader.hpp reads them.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "sys/clock.hpp"
#include "sys/wait.hpp"

namespace benchrun::sys {

struct ConsoleLine {
  std::string text;    // without the line end and without terminal escape sequences (SeaBIOS sends some)
  MonotonicNs at = 0;  // when its last byte arrived
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

}  // namespace benchrun::sys
