#include "runtime/cgroup/mode.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/magic.h>

#include "fake_cgroup_tree.hpp"
#include "sys/error.hpp"

namespace benchrun::runtime {
namespace {

TEST(CgroupMode, Cgroup2AtTheRootIsV2) {
  EXPECT_EQ(cgroup_mode_from_fs_types(CGROUP2_SUPER_MAGIC, std::nullopt), CgroupMode::v2);
}

TEST(CgroupMode, TmpfsWithAnEmptyUnifiedMountIsHybrid) {
  EXPECT_EQ(cgroup_mode_from_fs_types(TMPFS_MAGIC, CGROUP2_SUPER_MAGIC), CgroupMode::hybrid);
  EXPECT_TRUE(uses_v1_controllers(CgroupMode::hybrid));
}

TEST(CgroupMode, TmpfsAloneIsV1) {
  EXPECT_EQ(cgroup_mode_from_fs_types(TMPFS_MAGIC, std::nullopt), CgroupMode::v1);
  EXPECT_EQ(cgroup_mode_from_fs_types(TMPFS_MAGIC, TMPFS_MAGIC), CgroupMode::v1);
}

TEST(CgroupMode, APlainDirectoryIsV1) {
  const testing::FakeCgroupTree tree;
  EXPECT_EQ(detect_cgroup_mode(tree.root()), CgroupMode::v1);
}

TEST(CgroupMode, AMissingRootIsAnErrorNamingIt) {
  try {
    detect_cgroup_mode("/nonexistent/benchrun-cgroup");
    FAIL() << "no error";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(), ::testing::HasSubstr("statfs /nonexistent/benchrun-cgroup: ENOENT"));
  }
}

TEST(CgroupMode, NamesAreShort) {
  EXPECT_EQ(to_string(CgroupMode::v1), "v1");
  EXPECT_EQ(to_string(CgroupMode::hybrid), "hybrid");
  EXPECT_EQ(to_string(CgroupMode::v2), "v2");
}

}  // namespace
}  // namespace benchrun::runtime
