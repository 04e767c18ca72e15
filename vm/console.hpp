// The guest's serial console as lines, each stamped with monotonic_now() when its last byte arrived.
// Reads from one fd: the console fifo QEMU writes into, or the pipe a ConsoleStream pumps into.
#pragma once

#include <deque>
#include <optional>
#include <string>

#include "runtime/sys/clock.hpp"
#include "runtime/sys/console_lines.hpp"
#include "runtime/sys/unique_fd.hpp"

namespace benchrun::vm {

class ConsoleReader {
 public:
  explicit ConsoleReader(UniqueFd fd) : fd_(std::move(fd)) {}

  // The next line; nullopt once the console closed (QEMU exited). Throws Timeout at `deadline`,
  // Interrupted when `wake_fd` (if >= 0) becomes readable; the fd is not read.
  std::optional<ConsoleLine> next_line(MonotonicNs deadline, int wake_fd = -1);
  // When the first byte arrived (SeaBIOS's banner under q35 without VGA); nullopt before that.
  [[nodiscard]] std::optional<MonotonicNs> first_byte_at() const noexcept { return first_byte_at_; }
  [[nodiscard]] bool closed() const noexcept { return !fd_.valid(); }
  // Reads what is there without waiting (keeps the console fifo drained). False once closed.
  bool pump();

 private:
  bool read_some();

  UniqueFd fd_;
  ConsoleLineSplitter splitter_;
  std::deque<ConsoleLine> lines_;
  std::optional<MonotonicNs> first_byte_at_;
};


}  // namespace benchrun::vm
