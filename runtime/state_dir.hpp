// An instance's directory on the host, /run/benchrun/<name>/, holding an `owner` file naming the benchrun
// process that made it (so the sweep can tell a live run's directory from a leftover). The instance mounts
// the tmpfs that holds its writable layer and root over this directory, in its own mount namespace only.
// One folder and no `scratch/` below it: on an ext4 /run mounted with `discard` (this project's VMs),
// making and removing the folder, its `owner` and `scratch/` took 5.3 ms, without `scratch/` 1.5 ms
// (medians of 40, interleaved; freeing a folder's block waits for the disk's discard). Removed with
// everything in it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace benchrun::runtime {

inline constexpr const char* default_state_root = "/run/benchrun";
// <root>/.new-<name>: an instance's directory while it is being made, before its rename into place.
inline constexpr const char* staging_prefix = ".new-";

class StateDir {
 public:
  StateDir() = default;
  // mkdir <root>/<name> and its parts; throws if it exists (a leftover the sweep should have removed).
  static StateDir create(const std::filesystem::path& root, const std::string& name);

  StateDir(StateDir&& other) noexcept;
  StateDir& operator=(StateDir&& other) noexcept;
  StateDir(const StateDir&) = delete;
  StateDir& operator=(const StateDir&) = delete;
  ~StateDir();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  // Where the instance mounts its tmpfs, in its own mount namespace: the directory itself.
  [[nodiscard]] const std::filesystem::path& scratch() const noexcept { return path_; }

  // Removes the directory tree. Idempotent; throws on failure (the destructor swallows it).
  void remove();

 private:
  explicit StateDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Makes sure `root` exists. Nothing is mounted there: a mount that outlives the run would be a leak, and
// /run is a tmpfs on most hosts anyway (where it is not, as on this project's VMs, each instance's upper
// layer pays the disk's metadata costs, and the figures say so). Idempotent.
void ensure_state_root(const std::filesystem::path& root);

// The pid in <dir>/owner, if the file holds one.
std::optional<pid_t> read_state_dir_owner(const std::filesystem::path& dir);

}  // namespace benchrun::runtime
