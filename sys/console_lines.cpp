#include "sys/console_lines.hpp"

#include <utility>

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

}  // namespace benchrun::sys
