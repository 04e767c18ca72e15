// cgroup v2: one directory in the unified tree; controllers enabled in the parents' subtree_control.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "runtime/cgroup/cgroup.hpp"

namespace benchrun::runtime {

// What the cgroup directory `dir` says.
CgroupStats read_v2_stats(const std::filesystem::path& dir);

std::unique_ptr<Cgroup> create_cgroup_v2(const std::filesystem::path& root, const std::string& name);

}  // namespace benchrun::runtime
