// The decisions around clone3 CLONE_INTO_CGROUP that need no kernel: which failures mean "take the old
// clone path", and what the probe's answer means.
#include "runtime/linux/start_init.hpp"

#include <gtest/gtest.h>

#include <cerrno>

namespace benchrun::runtime::kernel {
namespace {

TEST(StartInit, ACallTheKernelOrAFilterRefusesFallsBackToClone) {
  for (const int refused : {ENOSYS, E2BIG, EINVAL, EPERM, EOPNOTSUPP}) {
    EXPECT_TRUE(is_clone3_refusal(refused)) << "errno " << refused;
  }
}

TEST(StartInit, AFailureOfTheCloneItselfIsReportedNotRetried) {
  // Out of pids or memory, a cgroup that cannot take processes: the old clone would fail alike.
  for (const int failure : {EAGAIN, ENOMEM, EBUSY, EBADF, ENOSPC, EUSERS}) {
    EXPECT_FALSE(is_clone3_refusal(failure)) << "errno " << failure;
  }
}

TEST(StartInit, OnlyEbadfFromTheProbeShowsTheKernelKnowsCloneIntoCgroup) {
  EXPECT_TRUE(probe_shows_clone_into_cgroup(-1, EBADF));
  EXPECT_FALSE(probe_shows_clone_into_cgroup(-1, ENOSYS)) << "no clone3 (< 5.3)";
  EXPECT_FALSE(probe_shows_clone_into_cgroup(-1, E2BIG)) << "clone_args without the cgroup field (< 5.7)";
  EXPECT_FALSE(probe_shows_clone_into_cgroup(-1, EINVAL)) << "unknown flag";
  EXPECT_FALSE(probe_shows_clone_into_cgroup(-1, EPERM)) << "a seccomp filter";
  EXPECT_FALSE(probe_shows_clone_into_cgroup(1234, 0)) << "a directory that is no cgroup was accepted";
}

TEST(StartInit, JoinPathsHaveTheNamesReportsUse) {
  EXPECT_EQ(to_string(CgroupJoin::clone_into_cgroup), "clone_into_cgroup");
  EXPECT_EQ(to_string(CgroupJoin::procs_write), "procs_write");
}

}  // namespace
}  // namespace benchrun::runtime::kernel
