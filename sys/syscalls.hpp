// The system calls glibc 2.36 has no wrapper for, in one place: clone3, pidfd_*, waitid with its rusage,
// pivot_root, openat2, bpf.
// Each returns what the kernel returns (-1 and errno on failure), like the libc calls around them.
#pragma once

#include <linux/bpf.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>

namespace benchrun::sys {

// Fork-like clone3 (no new stack): returns the child's pid in the parent and 0 in the child.
inline pid_t clone3(clone_args& args) noexcept {
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof(args)));
}

// A pidfd of `pid` (O_CLOEXEC, as every pidfd). It stays valid, and refers to that process only, until
// the fd is closed: a pid may be reused, the pidfd never is.
inline int pidfd_open(pid_t pid) noexcept { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// waitid(P_PIDFD, pidfd, ...) that also fills `usage` (glibc's wrapper drops the kernel's fifth argument).
inline int waitid_pidfd(int pidfd, siginfo_t& info, int options, rusage& usage) noexcept {
  return static_cast<int>(::syscall(SYS_waitid, P_PIDFD, pidfd, &info, options, &usage));
}

inline int pidfd_send_signal(int pidfd, int signal) noexcept {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

inline int pivot_root(const char* new_root, const char* put_old) noexcept {
  return static_cast<int>(::syscall(SYS_pivot_root, new_root, put_old));
}

inline int openat2(int dirfd, const char* path, std::uint64_t flags, std::uint64_t resolve) noexcept {
  open_how how{};
  how.flags = flags;
  how.resolve = resolve;
  return static_cast<int>(::syscall(SYS_openat2, dirfd, path, &how, sizeof(how)));
}

// bpf(2): `attr` zeroed but for the fields of `command`.
inline int bpf(int command, bpf_attr& attr) noexcept {
  return static_cast<int>(::syscall(SYS_bpf, command, &attr, sizeof(attr)));
}

}  // namespace benchrun::sys
