// The cgroup freeze primitive on fake trees: which file each version writes, how the state is read back
// (v1 FREEZING is not frozen yet; v2 waits for cgroup.events), that only a freezable v1 instance joins the
// freezer hierarchy, and that a wait the kernel never ends is a Timeout naming the cgroup. The kernel's side
// (tasks really stop) is tests/integration/runtime/cgroup_freezer_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_cgroup_tree.hpp"
#include "runtime/cgroup/freezer.hpp"
#include "sys/wait.hpp"

namespace benchrun::runtime {
namespace {

using testing::FakeCgroupTree;
using ::testing::HasSubstr;

constexpr const char* instance_name = "benchrun-unit-0";

sys::MonotonicNs soon() { return sys::monotonic_now() + 1'000'000'000; }

void populate_v1_with_freezer(const FakeCgroupTree& tree) {
  for (const char* controller : {"freezer", "memory", "cpu", "cpuacct", "pids"}) {
    tree.write(std::filesystem::path(controller) / "cgroup.procs", "");
  }
}

class CgroupFreezer : public testing::FakeCgroupTest {};

TEST_F(CgroupFreezer, OnlyAFreezableV1InstanceJoinsTheFreezerHierarchy) {
  populate_v1_with_freezer(tree_);
  const auto plain = create_cgroup(CgroupMode::v1, tree_.root(), instance_name, controllers_for({}));
  EXPECT_FALSE(std::filesystem::exists(tree_.root() / "freezer/benchrun" / instance_name));
  EXPECT_THAT(std::string([&] {
                try {
                  plain->freeze(soon());
                } catch (const sys::Error& error) {
                  return std::string(error.what());
                }
                return std::string("no error");
              }()),
              HasSubstr("freezable"));

  OptionalControllers freezable = controllers_for({});
  freezable.freezer = true;
  const auto frozen = create_cgroup(CgroupMode::v1, tree_.root(), "benchrun-unit-1", freezable);
  EXPECT_TRUE(std::filesystem::is_directory(tree_.root() / "freezer/benchrun/benchrun-unit-1"));
  // The kernel makes freezer.state at mkdir; here the test does, THAWED as a new cgroup starts.
  tree_.write("freezer/benchrun/benchrun-unit-1/freezer.state", "THAWED\n");
  frozen->freeze(soon());
  EXPECT_EQ(tree_.read("freezer/benchrun/benchrun-unit-1/freezer.state"), "FROZEN");
  EXPECT_EQ(read_cgroup_frozen(CgroupMode::v1, tree_.root(), "benchrun/benchrun-unit-1"), true);
  frozen->thaw(soon());
  EXPECT_EQ(tree_.read("freezer/benchrun/benchrun-unit-1/freezer.state"), "THAWED");
  EXPECT_EQ(read_cgroup_frozen(CgroupMode::hybrid, tree_.root(), "benchrun/benchrun-unit-1"), false);
}

TEST_F(CgroupFreezer, V1FreezingIsNotFrozenYetAndAThawedCgroupThawsAtOnce) {
  tree_.write("freezer/x/freezer.state", "FREEZING\n");
  EXPECT_EQ(cgroup_frozen_v1(tree_.root() / "freezer/x"), false);
  EXPECT_EQ(cgroup_frozen_v1(tree_.root() / "freezer/absent"), std::nullopt);
  tree_.write("freezer/y/freezer.state", "THAWED\n");
  EXPECT_NO_THROW(thaw_cgroup_v1(tree_.root() / "freezer/y", sys::monotonic_now()));
}

TEST_F(CgroupFreezer, V2WritesCgroupFreezeAndWaitsForCgroupEvents) {
  tree_.write("benchrun/a/cgroup.freeze", "0\n");
  tree_.write("benchrun/a/cgroup.events", "populated 1\nfrozen 1\n");
  freeze_cgroup_v2(tree_.root() / "benchrun/a", soon());
  EXPECT_EQ(tree_.read("benchrun/a/cgroup.freeze"), "1");
  EXPECT_EQ(read_cgroup_frozen(CgroupMode::v2, tree_.root(), "benchrun/a"), true);

  // cgroup.events still says "frozen 1": the thaw waits for the kernel, which never comes here.
  try {
    thaw_cgroup_v2(tree_.root() / "benchrun/a", sys::monotonic_now() + 20'000'000);
    FAIL() << "no timeout";
  } catch (const sys::Timeout& timeout) {
    EXPECT_THAT(timeout.what(), HasSubstr((tree_.root() / "benchrun/a").string()));
    EXPECT_THAT(timeout.what(), HasSubstr("not thawed"));
  }
  EXPECT_EQ(tree_.read("benchrun/a/cgroup.freeze"), "0");
}

TEST_F(CgroupFreezer, AGoneCgroupIsAnErrorNotAWait) {
  EXPECT_EQ(cgroup_frozen_v2(tree_.root() / "gone"), std::nullopt);
  EXPECT_THROW(freeze_cgroup_v2(tree_.root() / "gone", soon()), sys::Error);
}

}  // namespace
}  // namespace benchrun::runtime
