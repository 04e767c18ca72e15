// What the workload may do: Docker's default capability set less CAP_NET_RAW, no_new_privs, and a seccomp denylist in
// the spirit of Docker's profile (kernel modules, kexec, reboot, swap, keyrings, ptrace, bpf,
// perf_event_open, userfaultfd, clock changes, mount/pivot_root/umount, new namespaces...), each
// answered with EPERM. Built in the parent, applied by the container's init right before exec.
#pragma once

#include <linux/filter.h>
#include <sched.h>
#include <sys/capability.h>

#include <array>
#include <memory>
#include <vector>

#include "runtime/linux/child_failure.hpp"

namespace benchrun::runtime::kernel {

struct CapFree {
  void operator()(_cap_struct* caps) const noexcept { cap_free(caps); }
};
using CapSet = std::unique_ptr<_cap_struct, CapFree>;

struct SecurityPlan {
  CapSet capabilities;                                        // effective = permitted = inheritable = the default set
  std::vector<cap_value_t> bounding_drop;                     // every capability the kernel knows outside the defaults
  const std::vector<sock_filter>* seccomp_program = nullptr;  // nullptr: no filter
};

// The namespace flags the default filter refuses to unshare and clone with (EPERM); clone3, whose flags a
// filter cannot read, gets ENOSYS instead.
inline constexpr std::array<int, 8> denied_namespace_flags = {
    CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_NEWTIME};

// The call the default filter answers ENOSYS (its flags sit in memory a filter cannot read), so libc falls
// back to clone, whose flags the filter does read.
inline constexpr char enosys_syscall_name[] = "clone3";

// The default capabilities, by name ("cap_chown", ...): Docker's set without CAP_NET_RAW, as Kubernetes'
// baseline Pod Security Standard and CRI-O leave it out. Raw sockets forge packets on the instance's network
// and no workload here needs them (the network workloads use TCP).
const std::vector<const char*>& default_capability_names();

// The seccomp program, compiled with libseccomp once per process (it never changes).
const std::vector<sock_filter>& default_seccomp_program();

// The syscall names the default filter denies (for tests and reports).
const std::vector<const char*>& denied_syscall_names();

// drop_capabilities false keeps every capability (the isolation suite's flip of its capability checks).
SecurityPlan make_security_plan(bool with_seccomp, bool drop_capabilities = true);

// In the child, last step before exec: bounding set, capabilities, no_new_privs, seccomp.
bool apply_security(const SecurityPlan& plan, ChildFailure& failure) noexcept;

}  // namespace benchrun::runtime::kernel
