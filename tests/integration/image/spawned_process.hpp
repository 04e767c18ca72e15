// A child process for tests: fork/exec with stdout and stderr on pipes, stdout read line by line as it
// arrives (each line stamped with CLOCK_MONOTONIC on arrival, as the harness does), killed and reaped if
// the test ends before it does (with its whole process group).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sys/clock.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::testing {

struct OutputLine {
  std::string text;
  sys::MonotonicNs arrived_ns;
};

class SpawnedProcess {
 public:
  // `in_child` runs in the child between fork and exec (join a cgroup, chroot, ...). It may make system
  // calls only; on failure it reports on stderr and calls _exit(126).
  static SpawnedProcess start(const std::vector<std::string>& argv, const std::function<void()>& in_child = {});

  SpawnedProcess(SpawnedProcess&& other) noexcept;
  SpawnedProcess& operator=(SpawnedProcess&&) = delete;
  SpawnedProcess(const SpawnedProcess&) = delete;
  SpawnedProcess& operator=(const SpawnedProcess&) = delete;
  ~SpawnedProcess();

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

  // Reads until stdout holds the line `expected`; false on end of output or after `timeout`.
  bool wait_for_line(std::string_view expected, std::chrono::milliseconds timeout);

  // Reads both pipes to their end and reaps the process; returns its wait status. Throws benchrun::sys::Error
  // after `timeout` (having killed and reaped it).
  int finish(std::chrono::milliseconds timeout);

  [[nodiscard]] const std::vector<OutputLine>& stdout_lines() const noexcept { return stdout_lines_; }
  [[nodiscard]] const std::string& stderr_text() const noexcept { return stderr_text_; }

 private:
  SpawnedProcess(pid_t pid, sys::UniqueFd stdout_fd, sys::UniqueFd stderr_fd) noexcept;
  // One poll round until `deadline`; false when nothing more can arrive (both pipes closed) or time is up.
  bool read_some(std::chrono::steady_clock::time_point deadline);
  void take_stdout_bytes(std::string_view bytes);

  pid_t pid_ = -1;
  sys::UniqueFd stdout_fd_;
  sys::UniqueFd stderr_fd_;
  std::string partial_stdout_line_;
  std::vector<OutputLine> stdout_lines_;
  std::string stderr_text_;
};

}  // namespace benchrun::testing
