#include "runtime/cgroup/cgroup_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <sstream>
#include <thread>

#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::runtime {

namespace {

// A killed process leaves its cgroup only once the kernel has finished its exit; this bounds the wait
// (SIGKILL cannot be ignored, so the loop ends long before in practice).
constexpr int empty_attempts = 2000;
constexpr auto empty_poll_interval = std::chrono::milliseconds(1);

// Sends SIGKILL to every pid listed; returns how many there were.
int kill_listed_pids(const std::filesystem::path& procs) {
  std::istringstream pids(sys::read_file(procs));
  int count = 0;
  for (pid_t pid = 0; pids >> pid; ++count) ::kill(pid, SIGKILL);
  return count;
}

}  // namespace

void ensure_directory(const std::filesystem::path& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) sys::throw_errno("mkdir " + path.string());
}

CgroupDir CgroupDir::create(const std::filesystem::path& path) {
  if (::mkdir(path.c_str(), 0755) != 0) sys::throw_errno("mkdir " + path.string());
  return CgroupDir(path);
}

CgroupDir CgroupDir::create_in_parent(const std::filesystem::path& parent, const std::string& name) {
  ensure_directory(parent);
  if (::mkdir((parent / name).c_str(), 0755) == 0) return CgroupDir(parent / name);
  if (errno != ENOENT) sys::throw_errno("mkdir " + (parent / name).string());
  ensure_directory(parent);
  return create(parent / name);
}

CgroupDir::CgroupDir(CgroupDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

CgroupDir& CgroupDir::operator=(CgroupDir&& other) noexcept {
  if (this != &other) {
    try {
      remove();
    } catch (...) {  // the destructor-like path never throws
    }
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

CgroupDir::~CgroupDir() {
  try {
    remove();
  } catch (...) {  // sweep_leftovers() picks up what could not be removed here
  }
}

void CgroupDir::remove() {
  if (path_.empty()) return;
  kill_and_remove_cgroup_dir(path_);
  path_.clear();
}

namespace {

void kill_and_remove_busy_cgroup_dir(const std::filesystem::path& path);

}  // namespace

void kill_and_remove_cgroup_dir(const std::filesystem::path& path) {
  // The usual case, after the instance was reaped: empty, and one rmdir is all it takes.
  if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return;
  if (errno != EBUSY && errno != ENOTEMPTY) sys::throw_errno("rmdir " + path.string());
  try {
    kill_and_remove_busy_cgroup_dir(path);
  } catch (const sys::SystemError& error) {
    // Two sweeps (two benchruns on one host, seen here) may empty the same leftover: the directory
    // going away under us is the outcome wanted, not a failure.
    std::error_code ignored;
    if (error.code() != ENOENT || std::filesystem::exists(path, ignored)) throw;
  }
}

namespace {

void kill_and_remove_busy_cgroup_dir(const std::filesystem::path& path) {
  // A cgroup with children cannot be removed: take them out first, deepest first.
  std::error_code list_error;
  for (const auto& entry : std::filesystem::directory_iterator(path, list_error)) {
    std::error_code type_error;
    if (entry.is_directory(type_error)) kill_and_remove_cgroup_dir(entry.path());
  }
  // cgroup.kill (v2, Linux 5.14) kills everything at once; the loop below then only waits, and is the
  // whole mechanism on v1.
  // A v1 freezer directory: a frozen task does not die until thawed (a frozen leftover of a killed run).
  const auto freezer_state = path / "freezer.state";
  if (::access(freezer_state.c_str(), F_OK) == 0) sys::write_file(freezer_state, "THAWED");
  const auto kill_file = path / "cgroup.kill";
  if (::access(kill_file.c_str(), F_OK) == 0) sys::write_file(kill_file, "1");
  const auto procs = path / "cgroup.procs";
  for (int attempt = 0;; ++attempt) {
    if (kill_listed_pids(procs) == 0) {
      if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return;
      // EBUSY: a task is still on its way out of the cgroup.
      if (errno != EBUSY || attempt >= empty_attempts) sys::throw_errno("rmdir " + path.string());
    } else if (attempt >= empty_attempts) {
      throw sys::Error("cgroup " + path.string() + ": processes survive SIGKILL");
    }
    std::this_thread::sleep_for(empty_poll_interval);
  }
}

}  // namespace

}  // namespace benchrun::runtime
