// The pure parts of the cgroup attach measurement: which mounts carry favordynmods, and the doctor cgroup's
// name, which a sweep reads back to its owner.
#include "runtime/cgroup/attach_cost.hpp"

#include <gtest/gtest.h>

#include "sys/file_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::runtime {
namespace {

constexpr const char* hybrid_mountinfo =
    "22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw\n"
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime shared:12 - cgroup cgroup rw,memory,favordynmods\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate\n";

TEST(ParseCgroupMounts, ListsCgroupAndCgroup2MountsWithTheirSuperOptions) {
  const auto mounts = parse_cgroup_mounts(hybrid_mountinfo);
  ASSERT_EQ(mounts.size(), 3U);
  EXPECT_EQ(mounts[0].mount_point, "/sys/fs/cgroup/cpu");
  EXPECT_EQ(mounts[0].fs_type, "cgroup");
  EXPECT_EQ(mounts[0].super_options, "rw,cpu");
  EXPECT_FALSE(mounts[0].favordynmods);
  EXPECT_EQ(mounts[1].mount_point, "/sys/fs/cgroup/memory") << "optional fields before the separator are skipped";
  EXPECT_TRUE(mounts[1].favordynmods);
  EXPECT_EQ(mounts[2].fs_type, "cgroup2");
  EXPECT_FALSE(mounts[2].favordynmods);
}

TEST(ParseCgroupMounts, FavordynmodsMustBeAWholeOption) {
  const auto mounts = parse_cgroup_mounts(
      "31 30 0:28 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nofavordynmods\n"
      "32 30 0:29 / /sys/fs/cgroup/x rw - cgroup2 cgroup2 favordynmods\n");
  ASSERT_EQ(mounts.size(), 2U);
  EXPECT_FALSE(mounts[0].favordynmods);
  EXPECT_TRUE(mounts[1].favordynmods);
}

TEST(AttachCostCgroupName, ReadsBackToItsOwnerAndIgnoresOtherNames) {
  EXPECT_EQ(attach_cost_cgroup_name(4242), "doctor-4242");
  EXPECT_EQ(attach_cost_cgroup_owner(attach_cost_cgroup_name(4242)), 4242);
  EXPECT_FALSE(attach_cost_cgroup_owner("benchrun-20261123-101010-00ff-7").has_value());
  EXPECT_FALSE(attach_cost_cgroup_owner("doctor-").has_value());
  EXPECT_FALSE(attach_cost_cgroup_owner("doctor-12x").has_value());
}

TEST(RcuGracePeriodsExpedited, ReadsTheKnobAndSaysNothingWithoutIt) {
  const benchrun::testing::TempDir temp_dir("benchrun-rcu-knob");
  const auto& dir = temp_dir.path();
  sys::write_file_new(dir / "on", "1\n");
  sys::write_file_new(dir / "off", "0\n");
  EXPECT_EQ(rcu_grace_periods_expedited(dir / "on"), true);
  EXPECT_EQ(rcu_grace_periods_expedited(dir / "off"), false);
  EXPECT_FALSE(rcu_grace_periods_expedited(dir / "absent").has_value());
}

}  // namespace
}  // namespace benchrun::runtime
