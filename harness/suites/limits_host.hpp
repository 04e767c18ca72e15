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

// Whether the instance's cgroup directory is still there (the memory one on v1, the one on v2).
bool cgroup_exists(runtime::CgroupMode mode, const std::filesystem::path& root, const std::filesystem::path& relative);

// The view after the instance ended when its own cgroup went with it (crun and runc remove the container's
// cgroup when its init exits, leaving the parent benchrun made): the last view read from the instance's cgroup
// while it ran, with the counters that are hierarchical and belong to the instance alone (OOM kills, CPU usage,
// per-CPU usage) taken from the parent's final read where the parent has them. Not the parent's memory
// high-water mark: it also holds what the runtime charged there before the init moved to its own cgroup.
HostView merge_final_counters(HostView last_while_running, const HostView& parent_after_exit);

// Where a backend kind puts instance `name`'s cgroup, relative to each hierarchy's root: benchrun/<name> for
// ours, <name>/<leaf> for crun and runc (runtime/oci cgroupsPath). nullopt where the instance has no cgroup
// of its own on the host (native, vm: a guest's limits are libvirt's, not read here yet).
std::optional<std::filesystem::path> instance_cgroup_relative(reports::BackendKind kind, const std::string& name);

}  // namespace benchrun::harness
