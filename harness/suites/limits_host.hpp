// The host's side of the limits suite: an instance's cgroup files read by path, independently of the
// runtime that made them (our container runtime, crun, runc), in the v1 or the v2 spelling.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "harness/suites/limits_checks.hpp"
#include "reports/model.hpp"
#include "runtime/cgroup/mode.hpp"

namespace benchrun::harness {

// Reads what HostView holds from <root>/<controller>/<relative> (v1, hybrid) or <root>/<relative> (v2).
// Files the host lacks leave their fields empty.
HostView read_host_view(runtime::CgroupMode mode, const std::filesystem::path& root,
                        const std::filesystem::path& relative);

// Where a backend kind puts instance `name`'s cgroup, relative to each hierarchy's root: benchrun/<name> for
// ours, <name>/<leaf> for crun and runc (runtime/oci cgroupsPath). nullopt where the instance has no cgroup
// of its own on the host (native, vm: a guest's limits are libvirt's, not read here yet).
std::optional<std::filesystem::path> instance_cgroup_relative(reports::BackendKind kind, const std::string& name);

}  // namespace benchrun::harness
