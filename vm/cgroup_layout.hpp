// How benchinit mounts cgroups in a guest (kernel parameter benchrun.cgroup=, see domain_xml.hpp).
// Libvirt-free, so `benchrun run` parses --guest-cgroup without loading the vm plugin.
#pragma once

#include <optional>
#include <string_view>

namespace benchrun::vm {

// v2 = cgroup2 at /sys/fs/cgroup with every controller enabled; v1 = one hierarchy per controller;
// hybrid = v1 plus cgroup2 at /sys/fs/cgroup/unified. No layout at all: nothing is mounted there.
enum class CgroupLayout { v2, v1, hybrid };

std::string_view to_string(CgroupLayout layout) noexcept;
// "v2", "v1", "hybrid"; nullopt for anything else.
std::optional<CgroupLayout> parse_cgroup_layout(std::string_view text) noexcept;

}  // namespace benchrun::vm
