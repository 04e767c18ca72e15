// cgroup v1: one directory per controller hierarchy (memory, cpu, cpuacct, cpuset, pids, blkio). A
// hierarchy mounted with several controllers (cpu,cpuacct) is one directory, used once.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "runtime/cgroup/cgroup.hpp"

namespace benchrun::runtime {

std::unique_ptr<Cgroup> create_cgroup_v1(const std::filesystem::path& root, const std::string& name,
                                         OptionalControllers optional);

// What one cgroup's v1 directories say; `dir_of(controller)` is its directory in that controller's
// hierarchy, nullopt where it has none.
CgroupStats read_v1_stats(const std::function<std::optional<std::filesystem::path>(std::string_view)>& dir_of);

// The hierarchy directories of the controllers above found under `root` (deduplicated).
std::vector<std::filesystem::path> v1_hierarchy_dirs(const std::filesystem::path& root);

}  // namespace benchrun::runtime
