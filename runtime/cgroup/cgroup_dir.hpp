// One directory in one cgroup hierarchy, owned: created by mkdir, removed (after killing whatever
// still runs in it) by remove() or, silently, by the destructor.
#pragma once

#include <filesystem>
#include <string>

namespace benchrun::runtime {

class CgroupDir {
 public:
  CgroupDir() = default;
  // mkdir `path`; throws if it exists already (a leftover the sweep should have removed).
  static CgroupDir create(const std::filesystem::path& path);
  // mkdir <parent>/<name>, making the shared parent first. The parent is removed when no instance uses
  // it any more (remove_unused_cgroup_parents): if another benchrun removed it between the two mkdirs,
  // it is made again, once.
  static CgroupDir create_in_parent(const std::filesystem::path& parent, const std::string& name);

  CgroupDir(CgroupDir&& other) noexcept;
  CgroupDir& operator=(CgroupDir&& other) noexcept;
  CgroupDir(const CgroupDir&) = delete;
  CgroupDir& operator=(const CgroupDir&) = delete;
  ~CgroupDir();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] bool owns() const noexcept { return !path_.empty(); }

  // Kills the processes inside, then rmdir. Idempotent; throws if the directory stays.
  void remove();

 private:
  explicit CgroupDir(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

// Empties a cgroup directory of processes (cgroup.kill where the kernel has it, else SIGKILL to every
// pid in cgroup.procs until none is left) and removes it. Used by CgroupDir and by the sweep.
void kill_and_remove_cgroup_dir(const std::filesystem::path& path);

// mkdir that accepts an existing directory (the shared `benchrun` parent).
void ensure_directory(const std::filesystem::path& path);

}  // namespace benchrun::runtime
