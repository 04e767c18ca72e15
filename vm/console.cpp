#include "vm/console.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include "sys/retry.hpp"

namespace benchrun::vm {

bool ConsoleReader::read_some() {
  std::array<char, 4096> buffer{};
  const ssize_t got = sys::retry_eintr([&] { return ::read(fd_.get(), buffer.data(), buffer.size()); });
  const sys::MonotonicNs now = sys::monotonic_now();
  if (got < 0) {
    if (errno == EAGAIN) return true;
    sys::throw_errno("console: read");
  }
  if (got == 0) {
    fd_.reset();
    if (auto last = splitter_.flush(now)) lines_.push_back(std::move(*last));
    return false;
  }
  if (!first_byte_at_) first_byte_at_ = now;
  splitter_.feed(std::string_view(buffer.data(), static_cast<std::size_t>(got)), now, lines_);
  return true;
}

bool ConsoleReader::pump() {
  while (fd_) {
    pollfd entry{fd_.get(), POLLIN, 0};
    if (sys::retry_eintr([&] { return ::poll(&entry, 1, 0); }) < 0) sys::throw_errno("console: poll");
    if (entry.revents == 0) return true;
    read_some();
  }
  return false;
}

std::optional<sys::ConsoleLine> ConsoleReader::next_line(sys::MonotonicNs deadline, int wake_fd) {
  while (lines_.empty()) {
    if (!fd_) return std::nullopt;
    std::array<pollfd, 2> fds{{{fd_.get(), POLLIN, 0}, {wake_fd, POLLIN, 0}}};
    const nfds_t count = wake_fd >= 0 ? 2 : 1;
    const int ready = sys::retry_eintr([&] { return ::poll(fds.data(), count, sys::poll_timeout_ms(deadline)); });
    if (ready < 0) sys::throw_errno("console: poll");
    if (fds[0].revents != 0) {
      read_some();
      continue;
    }
    if (count == 2 && fds[1].revents != 0) throw sys::Interrupted("console: interrupted");
    if (sys::monotonic_now() >= deadline) throw sys::Timeout("console: no complete line before the deadline");
  }
  sys::ConsoleLine line = std::move(lines_.front());
  lines_.pop_front();
  return line;
}

}  // namespace benchrun::vm
