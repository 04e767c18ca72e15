// A pids cgroup for one test (benchrun/benchrun-imagetest-<pid>-<n>), cgroup v1 or v2, removed when the
// test is done. Lets the forker test see fork() fail at pids.max without the runtime/ code under test.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace benchrun::testing {

class PidsCgroup {
 public:
  // Creates the cgroup with pids.max = `max_pids`. Throws benchrun::sys::Error if this host has no pids
  // controller the test can use.
  explicit PidsCgroup(int max_pids);
  PidsCgroup(const PidsCgroup&) = delete;
  PidsCgroup& operator=(const PidsCgroup&) = delete;
  ~PidsCgroup();

  // Moves the calling process in. Only system calls: safe between fork and exec. False on failure.
  [[nodiscard]] bool join_from_child() const noexcept;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path parent_;  // benchrun/, removed again only if we made it
  bool made_parent_ = false;
  std::filesystem::path path_;
  std::string procs_file_;  // kept as a string: its c_str() is read after fork
};

}  // namespace benchrun::testing
