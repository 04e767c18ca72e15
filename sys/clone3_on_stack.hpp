// clone3 whose child runs a function on a stack of its own, as clone(2) does for clone(): glibc 2.36 has
// no such wrapper, and the raw syscall with CLONE_VM would make the child run on the parent's frames.
#pragma once

#include <linux/sched.h>
#include <sys/types.h>

namespace benchrun::sys {

// Whether clone3_on_stack exists on this architecture (an inline-asm trampoline, x86_64 only).
#if defined(__x86_64__)
inline constexpr bool have_clone3_on_stack = true;
#else
inline constexpr bool have_clone3_on_stack = false;
#endif

// The child starts on [args.stack, args.stack + args.stack_size), runs fn(arg) and exits (exit(2)) with
// its return value; it never returns into the caller's frames. The parent gets the child's pid, or -1
// and errno (EINVAL if no stack was given, ENOSYS where have_clone3_on_stack is false).
pid_t clone3_on_stack(clone_args& args, int (*fn)(void*), void* arg) noexcept;

}  // namespace benchrun::sys
