#include "runtime/cgroup/cgroup.hpp"

#include "runtime/cgroup/cgroup_v1.hpp"
#include "runtime/cgroup/cgroup_v2.hpp"
#include "sys/enum_names.hpp"

namespace benchrun::runtime {

namespace {

constexpr sys::EnumNames<CgroupJoin, 2> cgroup_join_names{
    {{CgroupJoin::procs_write, "procs_write"}, {CgroupJoin::clone_into_cgroup, "clone_into_cgroup"}}};

}  // namespace

std::string to_string(CgroupJoin join) { return std::string(sys::name_of(cgroup_join_names, join)); }

OptionalControllers controllers_for(const ResourceLimits& limits) {
  return OptionalControllers{limits.cpuset_cpus.has_value(), !limits.io.empty(), false};
}

std::unique_ptr<Cgroup> create_cgroup(CgroupMode mode, const std::filesystem::path& root, const std::string& name,
                                      OptionalControllers optional) {
  if (uses_v1_controllers(mode)) return create_cgroup_v1(root, name, optional);
  return create_cgroup_v2(root, name);
}

CgroupStats read_cgroup_stats(CgroupMode mode, const std::filesystem::path& root,
                              const std::filesystem::path& relative) {
  if (!uses_v1_controllers(mode)) return read_v2_stats(root / relative);
  return read_v1_stats([&](std::string_view controller) -> std::optional<std::filesystem::path> {
    auto dir = root / controller / relative;
    return std::filesystem::is_directory(dir) ? std::optional(std::move(dir)) : std::nullopt;
  });
}

std::vector<std::filesystem::path> cgroup_parent_dirs(CgroupMode mode, const std::filesystem::path& root) {
  if (uses_v1_controllers(mode)) return v1_hierarchy_dirs(root);
  return {root};
}

}  // namespace benchrun::runtime
