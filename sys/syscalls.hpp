// The system calls glibc 2.36 has no wrapper for, in one place: clone3, pidfd_*, pivot_root, openat2.
// Each returns what the kernel returns (-1 and errno on failure), like the libc calls around them.
#pragma once

#include <linux/openat2.h>
#include <linux/sched.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>

namespace benchrun::sys {

// Fork-like clone3 (no new stack): returns the child's pid in the parent and 0 in the child.
inline pid_t clone3(clone_args& args) noexcept {
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof(args)));
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

}  // namespace benchrun::sys
