#include "sys/line_reader.hpp"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <string_view>
#include <utility>

#include "sys/error.hpp"
#include "sys/retry.hpp"

namespace benchrun::sys {

LineReader::LineReader(UniqueFd fd) : fd_(std::move(fd)) {}

LineReader::LineReader(UniqueFd fd, UniqueFd tail_fd, std::size_t tail_bytes)
    : fd_(std::move(fd)), tail_fd_(std::move(tail_fd)), tail_bytes_(tail_bytes) {}

std::optional<ConsoleLine> LineReader::next_line(MonotonicNs deadline, int wake_fd) {
  while (lines_.empty()) {
    if (!fd_) return std::nullopt;
    const std::array<int, 2> fds{fd_.get(), tail_fd_.get()};
    std::array<bool, 2> readable{};
    switch (wait_any_readable(fds, deadline, wake_fd, readable, "console")) {
      case WaitEnd::readable:
        if (readable[1]) read_tail();
        if (readable[0]) read_lines();
        break;
      case WaitEnd::woken:
        throw Interrupted("console: interrupted");
      case WaitEnd::deadline:
        throw Timeout("console: no complete line before the deadline");
    }
  }
  ConsoleLine line = std::move(lines_.front());
  lines_.pop_front();
  return line;
}

void LineReader::read_lines() {
  std::array<char, 4096> buffer{};
  const ssize_t got = retry_eintr([&] { return ::read(fd_.get(), buffer.data(), buffer.size()); });
  // The arrival of these bytes: taken before anything else is done with them.
  const MonotonicNs now = monotonic_now();
  if (got < 0) {
    if (errno == EAGAIN) return;  // a non-blocking fifo polled readable with nothing left
    throw_errno("console: read");
  }
  if (got == 0) {
    fd_.reset();
    if (auto last = splitter_.flush(now)) lines_.push_back(std::move(*last));
    return;
  }
  if (!first_byte_at_) first_byte_at_ = now;
  splitter_.feed(std::string_view(buffer.data(), static_cast<std::size_t>(got)), now, lines_);
}

void LineReader::read_tail() {
  std::array<char, 4096> buffer{};
  const ssize_t got = retry_eintr([&] { return ::read(tail_fd_.get(), buffer.data(), buffer.size()); });
  if (got <= 0) {  // end of file, or an error that leaves nothing more to read: stop watching it
    tail_fd_.reset();
    return;
  }
  tail_.append(buffer.data(), static_cast<std::size_t>(got));
  if (tail_.size() > tail_bytes_) tail_.erase(0, tail_.size() - tail_bytes_);
}

std::string LineReader::tail() {
  constexpr MonotonicNs already_passed = 0;  // look, do not wait
  while (tail_fd_) {
    const std::array<int, 1> fds{tail_fd_.get()};
    std::array<bool, 1> readable{};
    if (wait_any_readable(fds, already_passed, -1, readable, "console tail") != WaitEnd::readable) break;
    read_tail();
  }
  return tail_;
}

}  // namespace benchrun::sys
