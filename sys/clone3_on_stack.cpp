#include "sys/clone3_on_stack.hpp"

#include <sys/syscall.h>

#include <cerrno>

namespace benchrun::sys {

#if defined(__x86_64__)

pid_t clone3_on_stack(clone_args& args, int (*fn)(void*), void* arg) noexcept {
  // Without a stack of its own a CLONE_VM child would push onto the frames of the suspended parent.
  if (args.stack == 0 || args.stack_size == 0 || fn == nullptr) {
    errno = EINVAL;
    return -1;
  }
  // syscall clobbers only rax (the result), rcx and r11, so fn and arg survive into the child in rdx and
  // r8, where the kernel resumes it with rsp = stack + stack_size and rax = 0. The child branch is the
  // same shape as glibc's clone3.S: clear rbp (the outermost frame, for unwinders), align rsp as the
  // psABI requires before a call, call fn(arg), then exit(2) with its result: nothing after the syscall
  // touches the parent's stack, and the child never leaves this asm block.
  register long result asm("rax") = SYS_clone3;
  register clone_args* args_register asm("rdi") = &args;
  register unsigned long size_register asm("rsi") = sizeof(args);
  register int (*fn_register)(void*) asm("rdx") = fn;
  register void* arg_register asm("r8") = arg;
  asm volatile(
      "syscall\n\t"
      "testq %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "xorl %%ebp, %%ebp\n\t"
      "andq $-16, %%rsp\n\t"
      "movq %%r8, %%rdi\n\t"
      "callq *%%rdx\n\t"
      "movl %%eax, %%edi\n\t"
      "movl %[exit_number], %%eax\n\t"
      "syscall\n\t"
      "hlt\n\t"
      "1:\n\t"
      : "+r"(result)
      : "r"(args_register), "r"(size_register), "r"(fn_register), "r"(arg_register), [exit_number] "i"(SYS_exit)
      : "rcx", "r11", "memory", "cc");
  if (result < 0) {
    errno = static_cast<int>(-result);
    return -1;
  }
  return static_cast<pid_t>(result);
}

#else

pid_t clone3_on_stack(clone_args& /*args*/, int (* /*fn*/)(void*), void* /*arg*/) noexcept {
  errno = ENOSYS;
  return -1;
}

#endif

}  // namespace benchrun::sys
