#include "harness/console_reader.hpp"

#include <poll.h>
#include <unistd.h>

#include <array>

#include "sys/retry.hpp"

namespace benchrun::harness {
namespace {

constexpr std::size_t stderr_tail_bytes = 2048;

}  // namespace

ConsoleReader::ConsoleReader(sys::UniqueFd stdout_fd, sys::UniqueFd stderr_fd, StopSignal& stop)
    : stdout_fd_(std::move(stdout_fd)), stderr_fd_(std::move(stderr_fd)), stop_(stop) {}

std::optional<sys::ConsoleLine> ConsoleReader::next_line(sys::MonotonicNs deadline) {
  while (lines_.empty()) {
    if (!stdout_fd_) return std::nullopt;
    std::array<pollfd, 3> fds{{{stdout_fd_.get(), POLLIN, 0}, {stop_.fd(), POLLIN, 0}, {stderr_fd_.get(), POLLIN, 0}}};
    const nfds_t count = stderr_fd_ ? 3 : 2;
    if (sys::retry_eintr([&] { return ::poll(fds.data(), count, sys::poll_timeout_ms(deadline)); }) < 0)
      sys::throw_errno("console: poll");
    if (count == 3 && fds[2].revents != 0) read_stderr();
    if (fds[0].revents != 0) {
      read_stdout();
      continue;
    }
    if (fds[1].revents != 0) throw sys::Interrupted("console: interrupted");
    if (sys::monotonic_now() >= deadline) throw sys::Timeout("console: no complete line before the deadline");
  }
  sys::ConsoleLine line = std::move(lines_.front());
  lines_.pop_front();
  return line;
}

void ConsoleReader::read_stdout() {
  std::array<char, 4096> buffer{};
  const ssize_t got = sys::retry_eintr([&] { return ::read(stdout_fd_.get(), buffer.data(), buffer.size()); });
  const sys::MonotonicNs now = sys::monotonic_now();
  if (got < 0) sys::throw_errno("console: read stdout");
  if (got == 0) {
    stdout_fd_.reset();
    if (auto last = splitter_.flush(now)) lines_.push_back(std::move(*last));
    return;
  }
  splitter_.feed(std::string_view(buffer.data(), static_cast<std::size_t>(got)), now, lines_);
}

void ConsoleReader::read_stderr() {
  std::array<char, 4096> buffer{};
  const ssize_t got = sys::retry_eintr([&] { return ::read(stderr_fd_.get(), buffer.data(), buffer.size()); });
  if (got <= 0) {
    stderr_fd_.reset();
    return;
  }
  stderr_tail_.append(buffer.data(), static_cast<std::size_t>(got));
  if (stderr_tail_.size() > stderr_tail_bytes) stderr_tail_.erase(0, stderr_tail_.size() - stderr_tail_bytes);
}

std::string ConsoleReader::stderr_tail() {
  while (stderr_fd_) {
    pollfd readable{stderr_fd_.get(), POLLIN, 0};
    if (::poll(&readable, 1, 0) <= 0 || readable.revents == 0) break;
    read_stderr();
  }
  std::string tail = stderr_tail_;
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == ' ')) tail.pop_back();
  return tail;
}

}  // namespace benchrun::harness
