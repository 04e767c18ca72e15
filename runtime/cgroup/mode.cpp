#include "runtime/cgroup/mode.hpp"

#include <linux/magic.h>
#include <sys/statfs.h>

#include "sys/enum_names.hpp"
#include "sys/error.hpp"

namespace benchrun::runtime {

namespace {

constexpr sys::EnumNames<CgroupMode, 3> kCgroupModeNames{
    {{CgroupMode::v1, "v1"}, {CgroupMode::hybrid, "hybrid"}, {CgroupMode::v2, "v2"}}};

}  // namespace

std::string to_string(CgroupMode mode) { return std::string(sys::name_of(kCgroupModeNames, mode)); }

CgroupMode cgroup_mode_from_fs_types(long root_fs_type, std::optional<long> unified_fs_type) noexcept {
  if (root_fs_type == CGROUP2_SUPER_MAGIC) return CgroupMode::v2;
  // Anything else at the root is a v1 layout: tmpfs on a real host, any directory in a fake tree.
  if (unified_fs_type == CGROUP2_SUPER_MAGIC) return CgroupMode::hybrid;
  return CgroupMode::v1;
}

CgroupMode detect_cgroup_mode(const std::filesystem::path& root) {
  struct statfs root_fs {};
  if (::statfs(root.c_str(), &root_fs) != 0) sys::throw_errno("detect cgroup mode: statfs " + root.string());
  std::optional<long> unified_type;
  struct statfs unified_fs {};
  if (::statfs((root / "unified").c_str(), &unified_fs) == 0) unified_type = unified_fs.f_type;
  return cgroup_mode_from_fs_types(root_fs.f_type, unified_type);
}

}  // namespace benchrun::runtime
