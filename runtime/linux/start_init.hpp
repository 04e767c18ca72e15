// Starts the container's init in its new namespaces and in its cgroup: clone3 with CLONE_INTO_CGROUP
// where the cgroup is v2 and the kernel takes it, else clone and the init's own write to cgroup.procs.
#pragma once

#include <sys/types.h>

#include "runtime/cgroup/cgroup.hpp"
#include "runtime/linux/container_init.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::runtime::kernel {

struct StartedInit {
  pid_t pid = -1;
  sys::UniqueFd pidfd;
  CgroupJoin cgroup_join = CgroupJoin::procs_write;
};

struct CloneRequest {
  int namespace_flags = 0;              // CLONE_NEW*
  bool share_memory = true;             // CLONE_VM|CLONE_VFORK; false (fork-like) when the parent must act meanwhile
  bool allow_clone_into_cgroup = true;  // false forces the cgroup.procs write (measurements, tests)
};

// Clones the init, which runs run_container_init(plan) and never returns. On the fallback path this
// fills plan.cgroup_procs_fds (kept open here until the clone returned). Throws Error on failure.
StartedInit start_init(InitPlan& plan, const CloneRequest& request, const Cgroup& cgroup);

// Whether a clone3 that failed with `errno_value` was refused as a call (no clone3, an unknown flag or
// struct size, a seccomp filter) rather than failing on its arguments: the old clone path is taken then.
bool is_clone3_refusal(int errno_value) noexcept;

// The outcome of the probe: a clone3 with CLONE_INTO_CGROUP naming a directory that is no cgroup
// (the kernel's answer is EBADF exactly when it knows the flag).
bool probe_shows_clone_into_cgroup(long result, int errno_value) noexcept;

// The probe, run once per process (the answer cannot change while it runs). False where there is no
// clone3 trampoline for the architecture.
bool kernel_has_clone_into_cgroup();

}  // namespace benchrun::runtime::kernel
