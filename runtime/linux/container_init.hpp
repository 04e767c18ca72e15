// The container's init between clone and exec: join the cgroup, take a private cgroup namespace,
// build and enter the rootfs, set the hostname, bring up lo, wire stdio, lock down, exec. One function
// owns that order; comments at each step say why it sits where it does.
#pragma once

#include <sys/types.h>

#include <csignal>

#include <vector>

#include "runtime/linux/rootfs.hpp"
#include "runtime/linux/security.hpp"

namespace benchrun::runtime::kernel {

// Everything the init needs, prepared by the parent: the init runs in a fork-like copy of a process
// that may have other threads, so it must not allocate (another thread may have held malloc's lock).
struct InitPlan {
  RootfsPlan rootfs;
  const char* hostname = nullptr;
  char* const* argv = nullptr;            // null-terminated
  char* const* envp = nullptr;            // null-terminated
  std::vector<int> cgroup_procs_fds;      // written "0" to join; closed at exec; empty if cloned into the cgroup
  int report_fd = -1;                     // write end of the CLOEXEC report pipe
  int user_namespace_sync_fd = -1;        // read end; EOF once the parent wrote uid/gid maps (or -1)
  int user_namespace_sync_write_fd = -1;  // the inherited write end, closed first so EOF can come
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  bool bring_up_loopback = false;  // a fresh network namespace has lo, down
  int network_namespace_fd = -1;   // >= 0: setns into it (CLOEXEC: gone at exec), instead of CLONE_NEWNET
  const SecurityPlan* security = nullptr;
  const sigset_t* signal_mask = nullptr;  // the parent's mask, restored before exec (cloned with all blocked)
};

// Never returns: execs the workload, or reports the failure on report_fd and exits 127.
[[noreturn]] void run_container_init(const InitPlan& plan) noexcept;

}  // namespace benchrun::runtime::kernel
