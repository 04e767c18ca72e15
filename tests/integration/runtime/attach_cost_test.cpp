// The cgroup attach measurement of `benchrun doctor` on the real kernel: it yields figures for cold and
// warm, and leaves no cgroup directory and no child process behind. (No figure is judged: the host is noisy.)
#include "runtime/cgroup/attach_cost.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/cgroup/cgroup.hpp"
#include "runtime/cgroup/cgroup_dir.hpp"
#include "runtime/cgroup/mode.hpp"
#include "runtime/sweep.hpp"
#include "sys/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::runtime {
namespace {

TEST(CgroupAttachCost, MeasuresColdAndWarmAndLeavesNothing) {
  if (!uses_v1_controllers(detect_cgroup_mode())) GTEST_SKIP() << "the measurement is for cgroup v1 hierarchies";
  AttachCostOptions options;
  options.settle = std::chrono::milliseconds(30);
  options.tries = 3;
  const AttachCost cost = measure_attach_cost(options);
  EXPECT_EQ(cost.tries, 3);
  EXPECT_GT(cost.cold_ms, 0.0);
  EXPECT_GT(cost.warm_ms, 0.0);
  for (const auto& hierarchy : options.hierarchies) {
    EXPECT_FALSE(
        std::filesystem::exists(options.cgroup_root / hierarchy / "benchrun" / attach_cost_cgroup_name(::getpid())))
        << hierarchy;
  }
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1) << "every child was reaped";
  EXPECT_EQ(errno, ECHILD);
}

TEST(CgroupAttachCost, AHierarchyThatDoesNotExistIsAnErrorAndLeavesNothing) {
  if (!uses_v1_controllers(detect_cgroup_mode())) GTEST_SKIP() << "the measurement is for cgroup v1 hierarchies";
  AttachCostOptions options;
  options.hierarchies = {"memory", "no-such-controller"};
  options.settle = std::chrono::milliseconds(1);
  try {
    (void)measure_attach_cost(options);
    FAIL() << "a missing hierarchy was accepted";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("no-such-controller"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(
      std::filesystem::exists(options.cgroup_root / "memory" / "benchrun" / attach_cost_cgroup_name(::getpid())));
}

TEST(CgroupAttachCost, TheSweepRemovesTheCgroupOfADoctorThatIsGone) {
  if (!uses_v1_controllers(detect_cgroup_mode())) GTEST_SKIP() << "the measurement is for cgroup v1 hierarchies";
  const pid_t gone = ::fork();
  ASSERT_GE(gone, 0);
  if (gone == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(gone, nullptr, 0), gone);
  const auto parent = std::filesystem::path("/sys/fs/cgroup/memory") / cgroup_parent_name;
  ensure_directory(parent);
  const auto left = parent / attach_cost_cgroup_name(gone);
  ASSERT_EQ(::mkdir(left.c_str(), 0755), 0) << left;
  const auto mine = parent / attach_cost_cgroup_name(::getpid());
  ASSERT_EQ(::mkdir(mine.c_str(), 0755), 0) << mine;

  const benchrun::testing::TempDir state_root("benchrun-attach-sweep");
  // A prefix no instance has: only the doctor cgroups are judged, nobody else's instances.
  (void)sweep_leftovers(state_root.path(), "/sys/fs/cgroup", "benchrun-no-instance-has-this-prefix-");
  EXPECT_FALSE(std::filesystem::exists(left)) << "its owner is gone";
  EXPECT_TRUE(std::filesystem::exists(mine)) << "a live doctor's cgroup stays";
  ::rmdir(mine.c_str());
  ::rmdir(parent.c_str());  // EBUSY when an instance of another run lives there
}

}  // namespace
}  // namespace benchrun::runtime
