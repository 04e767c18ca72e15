#include "tests/integration/image/pids_cgroup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <sstream>
#include <string>

#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::testing {
namespace {

namespace fs = std::filesystem;

bool file_has_word(const fs::path& file, const std::string& word) {
  std::istringstream stream(sys::read_file_if_present(file).value_or(""));
  std::string token;
  while (stream >> token) {
    if (token == word) return true;
  }
  return false;
}

// The directory under which our cgroup goes: the v1 pids hierarchy, or the v2 root with pids delegated.
fs::path pids_hierarchy_root() {
  if (fs::exists("/sys/fs/cgroup/pids/cgroup.procs")) return "/sys/fs/cgroup/pids";
  if (file_has_word("/sys/fs/cgroup/cgroup.controllers", "pids")) {
    if (!file_has_word("/sys/fs/cgroup/cgroup.subtree_control", "pids")) {
      sys::write_file("/sys/fs/cgroup/cgroup.subtree_control", "+pids");
    }
    return "/sys/fs/cgroup";
  }
  throw sys::Error("no pids cgroup controller (neither /sys/fs/cgroup/pids nor cgroup2 with pids)");
}

}  // namespace

PidsCgroup::PidsCgroup(int max_pids) {
  static std::atomic<int> serial{0};  // several cgroups in one test process get distinct names
  fs::path root = pids_hierarchy_root();
  bool v2 = root == "/sys/fs/cgroup";
  parent_ = root / "benchrun";
  if (mkdir(parent_.c_str(), 0755) == 0) {
    made_parent_ = true;
  } else if (errno != EEXIST) {
    sys::throw_errno("mkdir " + parent_.string());
  }
  if (v2 && !file_has_word(parent_ / "cgroup.subtree_control", "pids")) {
    sys::write_file(parent_ / "cgroup.subtree_control", "+pids");
  }
  path_ = parent_ / ("benchrun-imagetest-" + std::to_string(getpid()) + "-" + std::to_string(serial++));
  if (mkdir(path_.c_str(), 0755) != 0) sys::throw_errno("mkdir " + path_.string());
  procs_file_ = (path_ / "cgroup.procs").string();
  try {
    sys::write_file(path_ / "pids.max", std::to_string(max_pids));
  } catch (...) {
    rmdir(path_.c_str());
    if (made_parent_) rmdir(parent_.c_str());
    throw;
  }
}

PidsCgroup::~PidsCgroup() {
  // The processes that were in it have been reaped by now; an empty cgroup can be removed.
  rmdir(path_.c_str());
  // Ours only: another component may be using benchrun/ at the same moment, then rmdir fails (EBUSY).
  if (made_parent_) rmdir(parent_.c_str());
}

bool PidsCgroup::join_from_child() const noexcept {
  int fd = open(procs_file_.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char pid_text[32];
  int length = snprintf(pid_text, sizeof pid_text, "%d", getpid());
  bool joined = write(fd, pid_text, static_cast<size_t>(length)) == length;
  close(fd);
  return joined;
}

}  // namespace benchrun::testing
