// Which cgroup layout a host has: pure v2 (cgroup2 mounted at the root) or v1 with one mount per
// controller (a tmpfs at the root; "hybrid" when an empty cgroup2 sits at <root>/unified as well).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace benchrun::runtime {

enum class CgroupMode { v1, hybrid, v2 };

// "v1", "hybrid" or "v2".
std::string to_string(CgroupMode mode);

// The decision alone, from the statfs f_type of the root and of <root>/unified (nullopt if absent),
// so tests can feed any combination.
CgroupMode cgroup_mode_from_fs_types(long root_fs_type, std::optional<long> unified_fs_type) noexcept;

// statfs on `root` (and <root>/unified). Throws when `root` cannot be examined.
CgroupMode detect_cgroup_mode(const std::filesystem::path& root = "/sys/fs/cgroup");

// Whether the mode is driven by the per-controller v1 backend (v1 and hybrid both are).
inline bool uses_v1_controllers(CgroupMode mode) noexcept { return mode != CgroupMode::v2; }

}  // namespace benchrun::runtime
