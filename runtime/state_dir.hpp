// An instance's mark on the host: /run/benchrun/<name>, a symlink whose target is the pid of the benchrun
// process that made it (so the sweep can tell a live run's instance from a leftover). The instance mounts
// the tmpfs that holds its writable layer and root over the state root itself, in its own mount namespace
// only. A symlink rather than a folder with an `owner` file: a short symlink is an inode and nothing else,
// where a folder costs a block; on an ext4 /run mounted with `discard` (this project's VMs) the folder,
// its file and a scratch folder cost 5.8 ms per instance to make and remove (median of 40, freeing the
// blocks waits for the disk's discard), the symlink 0.07 ms.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace benchrun::runtime {

inline constexpr const char* kDefaultStateRoot = "/run/benchrun";

class StateDir {
 public:
  StateDir() = default;
  // Makes <root>/<name>; throws if it exists (a leftover the sweep should have removed).
  static StateDir create(const std::filesystem::path& root, const std::string& name);

  StateDir(StateDir&& other) noexcept;
  StateDir& operator=(StateDir&& other) noexcept;
  StateDir(const StateDir&) = delete;
  StateDir& operator=(const StateDir&) = delete;
  ~StateDir();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  // Where the instance mounts its tmpfs, in its own mount namespace: the state root.
  [[nodiscard]] std::filesystem::path scratch() const { return path_.parent_path(); }

  // Removes the mark (or a folder of an older benchrun, with what it holds). Idempotent; throws on
  // failure (the destructor swallows it).
  void remove();

 private:
  explicit StateDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Makes sure `root` exists. Nothing is mounted there on the host: a mount that outlives the run would be
// a leak (/run is a tmpfs on most hosts anyway). Idempotent.
void ensure_state_root(const std::filesystem::path& root);

// The owner's pid: the target of the symlink `entry` (or, from an older benchrun, in <entry>/owner).
std::optional<pid_t> read_state_dir_owner(const std::filesystem::path& entry);

}  // namespace benchrun::runtime
