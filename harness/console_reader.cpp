#include "harness/console_reader.hpp"

#include <utility>

namespace benchrun::harness {
namespace {

// Enough for the last lines of an error message.
constexpr std::size_t stderr_tail_bytes = 2048;

}  // namespace

ConsoleReader::ConsoleReader(sys::UniqueFd stdout_fd, sys::UniqueFd stderr_fd, StopSignal& stop)
    : reader_(std::move(stdout_fd), std::move(stderr_fd), stderr_tail_bytes), stop_(stop) {}

std::optional<sys::ConsoleLine> ConsoleReader::next_line(sys::MonotonicNs deadline) {
  return reader_.next_line(deadline, stop_.fd());
}

std::string ConsoleReader::stderr_tail() {
  std::string tail = reader_.tail();
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  return tail;
}

}  // namespace benchrun::harness
