#include "runtime/linux/security.hpp"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <seccomp.h>

#include <algorithm>
#include <cstring>

namespace benchrun::runtime::kernel {
namespace {

TEST(SecurityPlan, KeepsExactlyTheThirteenDefaultCapabilities) {
  const auto plan = make_security_plan(false);
  std::uint64_t kept_mask = 0;
  for (cap_value_t value = 0; value < 64; ++value) {
    cap_flag_value_t set = CAP_CLEAR;
    if (cap_get_flag(plan.capabilities.get(), value, CAP_EFFECTIVE, &set) == 0 && set == CAP_SET) {
      kept_mask |= 1ull << value;
    }
  }
  EXPECT_EQ(kept_mask, 0xa80405fbull);  // Docker's default set (0xa80425fb) less CAP_NET_RAW (bit 13)
  EXPECT_EQ(plan.bounding_drop.size(), static_cast<std::size_t>(cap_max_bits()) - 13);
  EXPECT_EQ(plan.seccomp_program, nullptr);
}

TEST(SecurityPlan, TheSeccompProgramChecksTheArchitectureFirstAndIsShared) {
  const auto plan = make_security_plan(true);
  ASSERT_NE(plan.seccomp_program, nullptr);
  ASSERT_GT(plan.seccomp_program->size(), 10u);
  // Instruction 0 loads seccomp_data.arch (offset 4), so foreign-ABI calls cannot slip past.
  EXPECT_EQ(plan.seccomp_program->front().k, 4u);
  EXPECT_EQ(make_security_plan(true).seccomp_program, plan.seccomp_program) << "compiled once per process";
}

TEST(SecurityPlan, EveryDeniedSyscallNameIsKnownToLibseccomp) {
  for (const char* name : denied_syscall_names()) {
    EXPECT_NE(seccomp_syscall_resolve_name(name), __NR_SCMP_ERROR) << name;
  }
}

}  // namespace
}  // namespace benchrun::runtime::kernel
