// The guest's serial console as lines, each stamped with monotonic_now() when its last byte arrived.
// Reads from one fd: the console fifo QEMU writes into, or the pipe a ConsoleStream pumps into.
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "sys/clock.hpp"
#include "sys/console_lines.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::vm {

class ConsoleReader {
 public:
  explicit ConsoleReader(sys::UniqueFd fd) : fd_(std::move(fd)) {}

  // The next line; nullopt once the console closed (QEMU exited). Throws Timeout at `deadline`,
  // Interrupted when `wake_fd` (if >= 0) becomes readable; the fd is not read.
  std::optional<sys::ConsoleLine> next_line(sys::MonotonicNs deadline, int wake_fd = -1);
  // When the first byte arrived (SeaBIOS's banner under q35 without VGA); nullopt before that.
  [[nodiscard]] std::optional<sys::MonotonicNs> first_byte_at() const noexcept { return first_byte_at_; }
  [[nodiscard]] bool closed() const noexcept { return !fd_.valid(); }
  // Reads what is there without waiting (keeps the console fifo drained). False once closed.
  bool pump();

 private:
  bool read_some();

  sys::UniqueFd fd_;
  sys::ConsoleLineSplitter splitter_;
  std::deque<sys::ConsoleLine> lines_;
  std::optional<sys::MonotonicNs> first_byte_at_;
};

}  // namespace benchrun::vm
