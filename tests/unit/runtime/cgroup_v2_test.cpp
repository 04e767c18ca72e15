// cgroup v2 logic on a fake tree: one directory, controllers enabled down the path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

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

class CgroupV2 : public testing::FakeCgroupTest {
 protected:
  std::unique_ptr<Cgroup> create() { return create_on(CgroupMode::v2, populate_v2, instance_name); }
};

TEST_F(CgroupV2, EnablesTheWantedControllersInEveryAncestor) {
  const auto cgroup = create();
  EXPECT_EQ(tree_.read("cgroup.subtree_control"), "+cpuset +cpu +io +memory +pids");
  EXPECT_EQ(tree_.read("benchrun/cgroup.subtree_control"), "+cpuset +cpu +io +memory +pids");
  ASSERT_EQ(cgroup->paths().size(), 1u);
  EXPECT_EQ(cgroup->paths().front(), tree_.root() / instance_path);
}

TEST_F(CgroupV2, WritesEveryLimitToItsFile) {
  const auto cgroup = create();
  populate_instance(tree_);
  cgroup->apply(testing::one_of_each_limit());
  EXPECT_EQ(tree_.read(instance_path / "memory.max"), "67108864");
  EXPECT_EQ(tree_.read(instance_path / "cpu.max"), "150000 100000");
  EXPECT_EQ(tree_.read(instance_path / "cpu.weight"), "100");
  EXPECT_EQ(tree_.read(instance_path / "pids.max"), "16");
  EXPECT_EQ(tree_.read(instance_path / "cpuset.cpus"), "1");
  EXPECT_EQ(tree_.read(instance_path / "io.max"), "8:0 rbps=1000000 wiops=50");
}

TEST_F(CgroupV2, WritesTheSwapPartOfAMemoryAndSwapLimitToSwapMax) {
  const auto cgroup = create();
  populate_instance(tree_);
  tree_.write(instance_path / "memory.swap.max", "");
  ResourceLimits limits;
  limits.memory_bytes = 32ULL << 20;
  limits.memory_swap_bytes = 64ULL << 20;
  cgroup->apply(limits);
  EXPECT_EQ(tree_.read(instance_path / "memory.max"), "33554432");
  EXPECT_EQ(tree_.read(instance_path / "memory.swap.max"), "33554432");
}

TEST_F(CgroupV2, AnInvalidCpuLimitNamesTheResource) {
  const auto cgroup = create();
  populate_instance(tree_);
  ResourceLimits limits;
  limits.cpus = 0.0;
  EXPECT_THAT(apply_failure(*cgroup, limits), HasSubstr("cgroup cpu: cpus must be > 0"));
}

TEST_F(CgroupV2, AFailedWriteNamesTheResourceAndTheFile) {
  const auto cgroup = create();
  ResourceLimits limits;
  limits.pids_max = 8;
  EXPECT_THAT(apply_failure(*cgroup, limits),
              HasSubstr("cgroup pids: write " + (tree_.root() / instance_path / "pids.max").string() + ": ENOENT"));
}

TEST_F(CgroupV2, StatsConvertMicrosecondsToNanoseconds) {
  const auto cgroup = create();
  tree_.write(instance_path / "memory.current", "4096\n");
  tree_.write(instance_path / "memory.peak", "8192\n");
  tree_.write(instance_path / "memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n");
  tree_.write(instance_path / "cpu.stat",
              "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 3\nthrottled_usec 250\n");
  tree_.write(instance_path / "pids.current", "2\n");
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

TEST_F(CgroupV2, AKernelWithoutMemoryPeakLeavesItEmpty) {
  const auto cgroup = create();
  tree_.write(instance_path / "memory.current", "4096\n");
  const auto stats = cgroup->stats();
  EXPECT_EQ(stats.memory_current_bytes, 4096u);
  EXPECT_FALSE(stats.memory_peak_bytes);
}

TEST_F(CgroupV2, JoiningOpensTheOneCgroupProcs) {
  const auto cgroup = create();
  populate_instance(tree_);
  const auto fds = cgroup->open_procs_for_join();
  ASSERT_EQ(fds.size(), 1u);
  EXPECT_TRUE(fds.front().valid());
}

TEST_F(CgroupV2, OpensTheInstanceDirectoryForCloneIntoCgroup) {
  const auto cgroup = create();
  const auto dir = cgroup->open_dir_for_clone();
  ASSERT_TRUE(dir.has_value());
  EXPECT_TRUE(dir->valid());
}

}  // namespace
}  // namespace benchrun::runtime
