// Freezing the processes of a cgroup in place and thawing them, one implementation per cgroup version:
// v1's freezer controller (freezer.state in the instance's freezer hierarchy directory) and v2's cgroup.freeze
// (in every non-root cgroup). A frozen task keeps its memory and gets no CPU until thawed. A freeze returns
// once the kernel reports the whole cgroup frozen (v1 freezer.state FROZEN, not the transitional FREEZING;
// v2 cgroup.events "frozen 1"), not when it was asked: a task inside a system call freezes only on its way
// back to user space. Both calls write nothing when the cgroup is already in the state asked for.
#pragma once

#include <filesystem>
#include <optional>

#include "runtime/cgroup/mode.hpp"
#include "sys/clock.hpp"

namespace benchrun::runtime {

// `dir` is the cgroup's directory in the v1 freezer hierarchy. Throw Timeout "cgroup freezer: <dir> still
// <state> ..." at `deadline`, Error when the file cannot be written.
void freeze_cgroup_v1(const std::filesystem::path& dir, sys::MonotonicNs deadline);
void thaw_cgroup_v1(const std::filesystem::path& dir, sys::MonotonicNs deadline);

// `dir` is the cgroup's directory in the unified tree; the same errors.
void freeze_cgroup_v2(const std::filesystem::path& dir, sys::MonotonicNs deadline);
void thaw_cgroup_v2(const std::filesystem::path& dir, sys::MonotonicNs deadline);

// Whether the kernel reports the cgroup frozen: freezer.state reads FROZEN (v1; FREEZING is not yet), or
// cgroup.events says "frozen 1" (v2). nullopt where the file is not there (no such cgroup, no freezer).
std::optional<bool> cgroup_frozen_v1(const std::filesystem::path& dir);
std::optional<bool> cgroup_frozen_v2(const std::filesystem::path& dir);

// The same for a cgroup someone else made, by its path relative to each hierarchy's root:
// <root>/freezer/<relative> on v1 and hybrid, <root>/<relative> on v2.
std::optional<bool> read_cgroup_frozen(CgroupMode mode, const std::filesystem::path& root,
                                       const std::filesystem::path& relative);

// Waits until the kernel reports that cgroup (by relative path, as above) frozen, or thawed when `frozen` is
// false: for a freeze someone else asked for (a peer runtime's pause). Throws Timeout at `deadline`, Error when
// the cgroup is gone.
void wait_cgroup_frozen(CgroupMode mode, const std::filesystem::path& root, const std::filesystem::path& relative,
                        bool frozen, sys::MonotonicNs deadline);

}  // namespace benchrun::runtime
