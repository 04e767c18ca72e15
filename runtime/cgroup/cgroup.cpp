#include "runtime/cgroup/cgroup.hpp"

#include "runtime/cgroup/cgroup_v1.hpp"
#include "runtime/cgroup/cgroup_v2.hpp"

namespace benchrun::runtime {

std::unique_ptr<Cgroup> create_cgroup(CgroupMode mode, const std::filesystem::path& root, const std::string& name) {
  if (uses_v1_controllers(mode)) return create_cgroup_v1(root, name);
  return create_cgroup_v2(root, name);
}

std::vector<std::filesystem::path> cgroup_parent_dirs(CgroupMode mode, const std::filesystem::path& root) {
  if (uses_v1_controllers(mode)) return v1_hierarchy_dirs(root);
  return {root};
}

}  // namespace benchrun::runtime
