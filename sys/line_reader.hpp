// Lines from a file descriptor as they arrive: a local instance's stdout pipe, a guest's console fifo or
// the pipe its console stream is pumped into. Each line is stamped with monotonic_now() when its last byte
// arrived, without its line end and terminal escapes (ConsoleLineSplitter). Optionally it drains a second
// fd meanwhile, keeping only its last bytes: a child's stderr, which would block the child once its pipe
// filled, and whose end says why it failed.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>

#include "sys/clock.hpp"
#include "sys/console_lines.hpp"
#include "sys/unique_fd.hpp"
#include "sys/wait.hpp"

namespace benchrun::sys {

class LineReader {
 public:
  explicit LineReader(UniqueFd fd);
  // Also reads `tail_fd` whenever a wait finds it readable, keeping its last `tail_bytes` bytes.
  LineReader(UniqueFd fd, UniqueFd tail_fd, std::size_t tail_bytes);

  // The next line; nullopt once the fd reached end of file and every line was taken (an unfinished last
  // line comes out first). Throws Timeout "console: no complete line before the deadline" at `deadline`,
  // Interrupted "console: interrupted" when `wake_fd` (if >= 0) is readable first; the wake fd is not read.
  std::optional<ConsoleLine> next_line(MonotonicNs deadline, int wake_fd = -1);
  // When the first byte arrived (a guest: SeaBIOS's banner); nullopt before that.
  [[nodiscard]] std::optional<MonotonicNs> first_byte_at() const noexcept { return first_byte_at_; }
  // The fd reached end of file (lines may still be queued).
  [[nodiscard]] bool closed() const noexcept { return !fd_.valid(); }
  // The last bytes of the tail fd, including what is readable right now (read without waiting).
  std::string tail();

 private:
  void read_lines();
  void read_tail();

  UniqueFd fd_;
  UniqueFd tail_fd_;
  std::size_t tail_bytes_ = 0;
  ConsoleLineSplitter splitter_;
  std::deque<ConsoleLine> lines_;
  std::optional<MonotonicNs> first_byte_at_;
  std::string tail_;
};

}  // namespace benchrun::sys
