// cgroup v2 logic on a fake tree: one directory, controllers enabled down the path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_cgroup_tree.hpp"
#include "runtime/cgroup/cgroup.hpp"
#include "sys/error.hpp"

namespace benchrun::runtime {
namespace {

using testing::FakeCgroupTree;
using ::testing::HasSubstr;

constexpr const char* instance_name = "benchrun-unit-0";
const std::filesystem::path instance_path = std::filesystem::path("benchrun") / instance_name;

void populate_v2(const FakeCgroupTree& tree) {
  tree.write("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
  tree.write("cgroup.subtree_control", "");
  tree.write("benchrun/cgroup.controllers", "cpuset cpu io memory pids\n");
  tree.write("benchrun/cgroup.subtree_control", "");
}

void populate_instance(const FakeCgroupTree& tree) {
  for (const char* file :
       {"memory.max", "cpu.max", "cpu.weight", "pids.max", "cpuset.cpus", "io.max", "cgroup.procs"}) {
    tree.write(instance_path / file, "");
  }
}

TEST(CgroupV2, EnablesTheWantedControllersInEveryAncestor) {
  const FakeCgroupTree tree;
  populate_v2(tree);
  const auto cgroup = create_cgroup(CgroupMode::v2, tree.root(), instance_name);
  EXPECT_EQ(tree.read("cgroup.subtree_control"), "+cpuset +cpu +io +memory +pids");
  EXPECT_EQ(tree.read("benchrun/cgroup.subtree_control"), "+cpuset +cpu +io +memory +pids");
  ASSERT_EQ(cgroup->paths().size(), 1u);
  EXPECT_EQ(cgroup->paths().front(), tree.root() / instance_path);
}

TEST(CgroupV2, WritesEveryLimitToItsFile) {
  const FakeCgroupTree tree;
  populate_v2(tree);
  const auto cgroup = create_cgroup(CgroupMode::v2, tree.root(), instance_name);
  populate_instance(tree);
  ResourceLimits limits;
  limits.memory_bytes = 64ull << 20;
  limits.cpus = 1.5;
  limits.cpu_weight = 200;
  limits.pids_max = 16;
  limits.cpuset_cpus = "0-1";
  IoDeviceLimit disk;
  disk.major = 254;
  disk.minor = 0;
  disk.write_bps = 2'000'000;
  limits.io.push_back(disk);
  cgroup->apply(limits);
  EXPECT_EQ(tree.read(instance_path / "memory.max"), "67108864");
  EXPECT_EQ(tree.read(instance_path / "cpu.max"), "150000 100000");
  EXPECT_EQ(tree.read(instance_path / "cpu.weight"), "200");
  EXPECT_EQ(tree.read(instance_path / "pids.max"), "16");
  EXPECT_EQ(tree.read(instance_path / "cpuset.cpus"), "0-1");
  EXPECT_EQ(tree.read(instance_path / "io.max"), "254:0 wbps=2000000");
}

TEST(CgroupV2, AnInvalidCpuLimitNamesTheResource) {
  const FakeCgroupTree tree;
  populate_v2(tree);
  const auto cgroup = create_cgroup(CgroupMode::v2, tree.root(), instance_name);
  populate_instance(tree);
  ResourceLimits limits;
  limits.cpus = 0.0;
  try {
    cgroup->apply(limits);
    FAIL() << "no error";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("cgroup cpu: cpus must be > 0"));
  }
}

TEST(CgroupV2, AFailedWriteNamesTheResourceAndTheFile) {
  const FakeCgroupTree tree;
  populate_v2(tree);
  const auto cgroup = create_cgroup(CgroupMode::v2, tree.root(), instance_name);
  ResourceLimits limits;
  limits.pids_max = 8;
  try {
    cgroup->apply(limits);
    FAIL() << "no error";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(),
                HasSubstr("cgroup pids: write " + (tree.root() / instance_path / "pids.max").string() + ": ENOENT"));
  }
}

TEST(CgroupV2, StatsConvertMicrosecondsToNanoseconds) {
  const FakeCgroupTree tree;
  populate_v2(tree);
  const auto cgroup = create_cgroup(CgroupMode::v2, tree.root(), instance_name);
  tree.write(instance_path / "memory.current", "4096\n");
  tree.write(instance_path / "memory.peak", "8192\n");
  tree.write(instance_path / "memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n");
  tree.write(instance_path / "cpu.stat",
             "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 3\nthrottled_usec 250\n");
  tree.write(instance_path / "pids.current", "2\n");
  const auto stats = cgroup->stats();
  EXPECT_EQ(stats.memory_current_bytes, 4096u);
  EXPECT_EQ(stats.memory_peak_bytes, 8192u);
  EXPECT_EQ(stats.oom_kills, 1u);
  EXPECT_EQ(cgroup->oom_kills(), 1u);
  EXPECT_EQ(stats.cpu_usage_ns, 1'500'000u);
  EXPECT_EQ(stats.nr_periods, 7u);
  EXPECT_EQ(stats.nr_throttled, 3u);
  EXPECT_EQ(stats.throttled_ns, 250'000u);
  EXPECT_EQ(stats.pids_current, 2u);
}

TEST(CgroupV2, AKernelWithoutMemoryPeakLeavesItEmpty) {
  const FakeCgroupTree tree;
  populate_v2(tree);
  const auto cgroup = create_cgroup(CgroupMode::v2, tree.root(), instance_name);
  tree.write(instance_path / "memory.current", "4096\n");
  const auto stats = cgroup->stats();
  EXPECT_EQ(stats.memory_current_bytes, 4096u);
  EXPECT_FALSE(stats.memory_peak_bytes);
}

TEST(CgroupV2, JoiningOpensTheOneCgroupProcs) {
  const FakeCgroupTree tree;
  populate_v2(tree);
  const auto cgroup = create_cgroup(CgroupMode::v2, tree.root(), instance_name);
  populate_instance(tree);
  const auto fds = cgroup->open_procs_for_join();
  ASSERT_EQ(fds.size(), 1u);
  EXPECT_TRUE(fds.front().valid());
}

TEST(CgroupV2, OpensTheInstanceDirectoryForCloneIntoCgroup) {
  const FakeCgroupTree tree;
  populate_v2(tree);
  const auto cgroup = create_cgroup(CgroupMode::v2, tree.root(), instance_name);
  const auto dir = cgroup->open_dir_for_clone();
  ASSERT_TRUE(dir.has_value());
  EXPECT_TRUE(dir->valid());
}

}  // namespace
}  // namespace benchrun::runtime
