// The clone3 trampoline on the real kernel (no root needed): the child runs on the stack it was given,
// shares memory when asked, and exits with what its function returned.
#include "sys/clone3_on_stack.hpp"

#include <gtest/gtest.h>
#include <sanitizer/asan_interface.h>
#include <sched.h>
#include <sys/wait.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>

namespace benchrun::sys {
namespace {

struct ChildView {
  const std::byte* stack_low = nullptr;
  const std::byte* stack_high = nullptr;
  bool ran_on_given_stack = false;
  int to_return = 0;
};

int record_and_return(void* arg) {
  auto& view = *static_cast<ChildView*>(arg);
  const std::byte local{};
  view.ran_on_given_stack = &local > view.stack_low && &local < view.stack_high;
  return view.to_return;
}

int exit_status_of(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Clone3OnStack, ChildRunsOnItsStackSharesMemoryAndExitsWithTheResult) {
  if (!have_clone3_on_stack) GTEST_SKIP() << "no clone3 trampoline on this architecture";
  alignas(16) std::array<std::byte, 32 * 1024> stack;
  ChildView view{stack.data(), stack.data() + stack.size(), false, 42};
  clone_args args{};
  args.flags = CLONE_VM | CLONE_VFORK;
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<std::uintptr_t>(stack.data());
  args.stack_size = stack.size();
  const pid_t pid = clone3_on_stack(args, record_and_return, &view);
  ASAN_UNPOISON_MEMORY_REGION(stack.data(), stack.size());  // the child's frames, in our memory
  ASSERT_GT(pid, 0) << "clone3: errno " << errno;
  EXPECT_TRUE(view.ran_on_given_stack) << "CLONE_VM: the child's write is ours to read";
  EXPECT_EQ(exit_status_of(pid), 42);
}

TEST(Clone3OnStack, ForkLikeChildWritesOnlyItsOwnCopy) {
  if (!have_clone3_on_stack) GTEST_SKIP() << "no clone3 trampoline on this architecture";
  alignas(16) std::array<std::byte, 32 * 1024> stack;
  ChildView view{stack.data(), stack.data() + stack.size(), false, 7};
  clone_args args{};
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<std::uintptr_t>(stack.data());
  args.stack_size = stack.size();
  const pid_t pid = clone3_on_stack(args, record_and_return, &view);
  ASSERT_GT(pid, 0) << "clone3: errno " << errno;
  EXPECT_EQ(exit_status_of(pid), 7);
  EXPECT_FALSE(view.ran_on_given_stack) << "without CLONE_VM the child wrote its own copy";
}

TEST(Clone3OnStack, RefusesToRunWithoutAStack) {
  clone_args args{};
  args.flags = CLONE_VM | CLONE_VFORK;
  args.exit_signal = SIGCHLD;
  errno = 0;
  EXPECT_EQ(clone3_on_stack(args, record_and_return, nullptr), -1);
  EXPECT_EQ(errno, have_clone3_on_stack ? EINVAL : ENOSYS);
}

}  // namespace
}  // namespace benchrun::sys
