#include "harness/console_reader.hpp"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <fmt/format.h>

#include "runtime/sys/retry.hpp"

namespace benchrun::harness {
namespace {

constexpr std::size_t stderr_tail_bytes = 2048;

int poll_timeout_ms(MonotonicNs deadline) {
  const MonotonicNs left = deadline - monotonic_now();
  if (left <= 0) return 0;
  return static_cast<int>(std::min<MonotonicNs>((left + 999'999) / 1'000'000, 60'000));
}

}  // namespace

void wait_readable(int fd, MonotonicNs deadline, StopSignal& stop, const char* what) {
  for (;;) {
    if (stop.requested()) throw Interrupted(fmt::format("{}: interrupted", what));
    if (monotonic_now() >= deadline) throw Timeout(fmt::format("{}: timed out", what));
    std::array<pollfd, 2> fds{{{fd, POLLIN, 0}, {stop.fd(), POLLIN, 0}}};
    if (retry_eintr([&] { return ::poll(fds.data(), fds.size(), poll_timeout_ms(deadline)); }) < 0) {
      throw_errno(fmt::format("{}: poll", what));
    }
    if (fds[0].revents != 0) return;
  }
}

ConsoleReader::ConsoleReader(UniqueFd stdout_fd, UniqueFd stderr_fd, StopSignal& stop)
    : stdout_fd_(std::move(stdout_fd)), stderr_fd_(std::move(stderr_fd)), stop_(stop) {}

std::optional<ConsoleLine> ConsoleReader::next_line(MonotonicNs deadline) {
  while (lines_.empty()) {
    if (!stdout_fd_) return std::nullopt;
    if (stop_.requested()) throw Interrupted("console: interrupted");
    if (monotonic_now() >= deadline) throw Timeout("console: no output before the deadline");
    std::array<pollfd, 3> fds{{{stdout_fd_.get(), POLLIN, 0}, {stop_.fd(), POLLIN, 0}, {stderr_fd_.get(), POLLIN, 0}}};
    const nfds_t count = stderr_fd_ ? 3 : 2;
    if (retry_eintr([&] { return ::poll(fds.data(), count, poll_timeout_ms(deadline)); }) < 0) throw_errno("console: poll");
    if (count == 3 && fds[2].revents != 0) read_stderr();
    if (fds[0].revents != 0 && !read_stdout(monotonic_now())) {
      stdout_fd_.reset();
      if (!partial_line_.empty()) lines_.push_back({std::exchange(partial_line_, {}), monotonic_now()});
    }
  }
  ConsoleLine line = std::move(lines_.front());
  lines_.pop_front();
  return line;
}

bool ConsoleReader::read_stdout(MonotonicNs now) {
  std::array<char, 4096> buffer{};
  const ssize_t got = retry_eintr([&] { return ::read(stdout_fd_.get(), buffer.data(), buffer.size()); });
  if (got < 0) throw_errno("console: read stdout");
  if (got == 0) return false;
  for (ssize_t i = 0; i < got; ++i) {
    if (buffer[i] == '\n') {
      if (!partial_line_.empty() && partial_line_.back() == '\r') partial_line_.pop_back();
      lines_.push_back({std::exchange(partial_line_, {}), now});
    } else {
      partial_line_.push_back(buffer[i]);
    }
  }
  return true;
}

void ConsoleReader::read_stderr() {
  std::array<char, 4096> buffer{};
  const ssize_t got = retry_eintr([&] { return ::read(stderr_fd_.get(), buffer.data(), buffer.size()); });
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
