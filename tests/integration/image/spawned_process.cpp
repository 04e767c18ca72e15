#include "tests/integration/image/spawned_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "sys/error.hpp"
#include "sys/retry.hpp"

namespace benchrun::testing {

SpawnedProcess SpawnedProcess::start(const std::vector<std::string>& argv, const std::function<void()>& in_child) {
  if (argv.empty()) throw sys::Error("spawn: empty argv");
  // Everything the child needs is prepared before fork: after it, the child only makes system calls.
  std::vector<char*> argv_pointers;
  for (const std::string& argument : argv) argv_pointers.push_back(const_cast<char*>(argument.c_str()));
  argv_pointers.push_back(nullptr);
  sys::Pipe out = sys::make_pipe();
  sys::Pipe err = sys::make_pipe();

  pid_t pid = fork();
  if (pid < 0) sys::throw_errno("spawn " + argv[0] + ": fork");
  if (pid == 0) {
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(out.write_end.get(), STDOUT_FILENO) < 0 ||
        dup2(err.write_end.get(), STDERR_FILENO) < 0) {
      _exit(126);
    }
    // Its own process group: a timeout ends the whole tree, not just the process we started.
    setpgid(0, 0);
    if (in_child) in_child();
    execv(argv_pointers[0], argv_pointers.data());
    dprintf(STDERR_FILENO, "spawn: exec %s: %s\n", argv_pointers[0], strerror(errno));
    _exit(126);
  }
  return SpawnedProcess(pid, std::move(out.read_end), std::move(err.read_end));
}

SpawnedProcess::SpawnedProcess(pid_t pid, sys::UniqueFd stdout_fd, sys::UniqueFd stderr_fd) noexcept
    : pid_(pid), stdout_fd_(std::move(stdout_fd)), stderr_fd_(std::move(stderr_fd)) {}

SpawnedProcess::SpawnedProcess(SpawnedProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdout_fd_(std::move(other.stdout_fd_)),
      stderr_fd_(std::move(other.stderr_fd_)),
      partial_stdout_line_(std::move(other.partial_stdout_line_)),
      stdout_lines_(std::move(other.stdout_lines_)),
      stderr_text_(std::move(other.stderr_text_)) {}

SpawnedProcess::~SpawnedProcess() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  sys::retry_eintr([&] { return waitpid(pid_, nullptr, 0); });
}

void SpawnedProcess::take_stdout_bytes(std::string_view bytes) {
  sys::MonotonicNs arrived_ns = sys::monotonic_now();
  partial_stdout_line_ += bytes;
  for (size_t newline = partial_stdout_line_.find('\n'); newline != std::string::npos;
       newline = partial_stdout_line_.find('\n')) {
    stdout_lines_.push_back({partial_stdout_line_.substr(0, newline), arrived_ns});
    partial_stdout_line_.erase(0, newline + 1);
  }
}

bool SpawnedProcess::read_some(std::chrono::steady_clock::time_point deadline) {
  std::array<pollfd, 2> watched{{{stdout_fd_.get(), POLLIN, 0}, {stderr_fd_.get(), POLLIN, 0}}};
  if (!stdout_fd_ && !stderr_fd_) return false;
  auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (remaining.count() <= 0) return false;
  int ready =
      sys::retry_eintr([&] { return poll(watched.data(), watched.size(), static_cast<int>(remaining.count())); });
  if (ready < 0) sys::throw_errno("spawn: poll");
  if (ready == 0) return false;
  for (size_t i = 0; i < watched.size(); ++i) {
    if (watched[i].revents == 0) continue;
    sys::UniqueFd& fd = i == 0 ? stdout_fd_ : stderr_fd_;
    std::array<char, 4096> buffer{};
    ssize_t length = sys::retry_eintr([&] { return read(fd.get(), buffer.data(), buffer.size()); });
    if (length < 0) sys::throw_errno("spawn: read");
    if (length == 0) {
      fd.reset();  // poll ignores negative fds: this pipe is done
      continue;
    }
    std::string_view bytes(buffer.data(), static_cast<size_t>(length));
    if (i == 0) {
      take_stdout_bytes(bytes);
    } else {
      stderr_text_ += bytes;
    }
  }
  return true;
}

bool SpawnedProcess::wait_for_line(std::string_view expected, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t checked = 0;
  for (;;) {
    for (; checked < stdout_lines_.size(); ++checked) {
      if (stdout_lines_[checked].text == expected) return true;
    }
    if (!read_some(deadline)) return false;
  }
}

int SpawnedProcess::finish(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (stdout_fd_ || stderr_fd_) {
    if (!read_some(deadline) && (stdout_fd_ || stderr_fd_)) {
      kill(-pid_, SIGKILL);
      sys::retry_eintr([&] { return waitpid(std::exchange(pid_, -1), nullptr, 0); });
      throw sys::Error("spawned process still running after " + std::to_string(timeout.count()) + " ms: killed");
    }
  }
  int status = 0;
  if (sys::retry_eintr([&] { return waitpid(pid_, &status, 0); }) < 0) sys::throw_errno("spawn: waitpid");
  pid_ = -1;
  if (!partial_stdout_line_.empty()) take_stdout_bytes("\n");  // a last line without newline still counts
  return status;
}

}  // namespace benchrun::testing
