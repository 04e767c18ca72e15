// cgroup v1 logic on a fake tree: one directory per controller, files as the kernel names them.
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

// The files mkdir would have made in an instance's directories, and the hierarchy roots' cpusets.
void populate_v1(const FakeCgroupTree& tree, bool with_benchrun_parent_cpuset = true) {
  for (const char* controller : {"memory", "cpu", "cpuacct", "cpuset", "pids", "blkio"}) {
    tree.write(std::filesystem::path(controller) / "cgroup.procs", "");
  }
  tree.write("cpuset/cpuset.cpus", "0-1\n");
  tree.write("cpuset/cpuset.mems", "0\n");
  if (with_benchrun_parent_cpuset) {
    tree.write("cpuset/benchrun/cpuset.cpus", "\n");
    tree.write("cpuset/benchrun/cpuset.mems", "\n");
  }
}

void populate_instance(const FakeCgroupTree& tree) {
  const std::filesystem::path b = std::filesystem::path("benchrun") / instance_name;
  for (const auto* file : {"memory/memory.limit_in_bytes", "cpu/cpu.cfs_period_us", "cpu/cpu.cfs_quota_us",
                           "cpu/cpu.shares", "pids/pids.max", "cpuset/cpuset.cpus", "cpuset/cpuset.mems",
                           "blkio/blkio.throttle.read_bps_device", "blkio/blkio.throttle.write_iops_device"}) {
    const std::filesystem::path path(file);
    tree.write(*path.begin() / b / path.filename(), "");
  }
}

std::filesystem::path instance_file(const char* controller, const char* file) {
  return std::filesystem::path(controller) / "benchrun" / instance_name / file;
}

class CgroupV1 : public testing::FakeCgroupTest {
 protected:
  std::unique_ptr<Cgroup> create() {
    return create_on(
        CgroupMode::v1, [](const FakeCgroupTree& tree) { populate_v1(tree); }, instance_name);
  }
};

TEST_F(CgroupV1, CreatesOneDirectoryPerHierarchyUnderABenchrunParent) {
  const auto cgroup = create();
  const auto paths = cgroup->paths();
  EXPECT_EQ(paths.size(), 6u);
  for (const char* controller : {"memory", "cpu", "cpuacct", "cpuset", "pids", "blkio"}) {
    EXPECT_TRUE(std::filesystem::is_directory(tree_.root() / controller / "benchrun" / instance_name)) << controller;
  }
}

TEST_F(CgroupV1, HasNoDirectoryToCloneIntoSinceAProcessJoinsOnePerHierarchy) {
  const auto cgroup = create();
  EXPECT_FALSE(cgroup->open_dir_for_clone().has_value());
}

TEST_F(CgroupV1, CpusetAndBlkioAreJoinedOnlyWhenLimited) {
  populate_v1(tree_);
  ResourceLimits limits;
  limits.memory_bytes = 1 << 20;
  const auto unpinned = create_cgroup(CgroupMode::v1, tree_.root(), instance_name, controllers_for(limits));
  EXPECT_EQ(unpinned->paths().size(), 4u);
  EXPECT_FALSE(std::filesystem::exists(tree_.root() / "cpuset/benchrun" / instance_name));
  EXPECT_FALSE(std::filesystem::exists(tree_.root() / "blkio/benchrun" / instance_name));
  limits.cpuset_cpus = "0";
  limits.io.push_back(IoDeviceLimit{});
  const auto pinned = create_cgroup(CgroupMode::v1, tree_.root(), "benchrun-unit-1", controllers_for(limits));
  EXPECT_EQ(pinned->paths().size(), 6u);
}

TEST_F(CgroupV1, CoMountedControllersShareOneDirectory) {
  tree_.write("cpu,cpuacct/cgroup.procs", "");
  tree_.write("memory/cgroup.procs", "");
  std::filesystem::create_directory_symlink("cpu,cpuacct", tree_.root() / "cpu");
  std::filesystem::create_directory_symlink("cpu,cpuacct", tree_.root() / "cpuacct");
  const auto cgroup = create_cgroup(CgroupMode::v1, tree_.root(), instance_name);
  EXPECT_EQ(cgroup->paths().size(), 2u);
  tree_.write(std::filesystem::path("cpu,cpuacct/benchrun") / instance_name / "cpuacct.usage", "777\n");
  EXPECT_EQ(cgroup->stats().cpu_usage_ns, 777u);
}

TEST_F(CgroupV1, WritesEveryLimitToItsControllersFile) {
  const auto cgroup = create();
  populate_instance(tree_);
  cgroup->apply(testing::one_of_each_limit());
  EXPECT_EQ(tree_.read(instance_file("memory", "memory.limit_in_bytes")), "67108864");
  EXPECT_EQ(tree_.read(instance_file("cpu", "cpu.cfs_period_us")), "100000");
  EXPECT_EQ(tree_.read(instance_file("cpu", "cpu.cfs_quota_us")), "150000");
  EXPECT_EQ(tree_.read(instance_file("cpu", "cpu.shares")), "2597");
  EXPECT_EQ(tree_.read(instance_file("pids", "pids.max")), "16");
  EXPECT_EQ(tree_.read(instance_file("cpuset", "cpuset.cpus")), "1");
  EXPECT_EQ(tree_.read(instance_file("blkio", "blkio.throttle.read_bps_device")), "8:0 1000000");
  EXPECT_EQ(tree_.read(instance_file("blkio", "blkio.throttle.write_iops_device")), "8:0 50");
}

TEST_F(CgroupV1, WritesTheMemoryAndSwapLimitToMemsw) {
  const auto cgroup = create();
  populate_instance(tree_);
  tree_.write(instance_file("memory", "memory.memsw.limit_in_bytes"), "");
  ResourceLimits limits;
  limits.memory_bytes = 32ULL << 20;
  limits.memory_swap_bytes = 64ULL << 20;
  cgroup->apply(limits);
  EXPECT_EQ(tree_.read(instance_file("memory", "memory.limit_in_bytes")), "33554432");
  EXPECT_EQ(tree_.read(instance_file("memory", "memory.memsw.limit_in_bytes")), "67108864");
}

TEST_F(CgroupV1, FillsCpusetCpusAndMemsFromTheHierarchyBeforeTasksJoin) {
  const auto cgroup = create();
  populate_instance(tree_);
  cgroup->apply({});
  EXPECT_EQ(tree_.read("cpuset/benchrun/cpuset.cpus"), "0-1");
  EXPECT_EQ(tree_.read("cpuset/benchrun/cpuset.mems"), "0");
  EXPECT_EQ(tree_.read(instance_file("cpuset", "cpuset.cpus")), "0-1");
  EXPECT_EQ(tree_.read(instance_file("cpuset", "cpuset.mems")), "0");
  EXPECT_EQ(tree_.read(instance_file("memory", "memory.limit_in_bytes")), "") << "an unset limit is not written";
}

TEST_F(CgroupV1, AFailedWriteNamesTheResourceAndTheFile) {
  const auto cgroup = create();  // no instance files: ENOENT
  ResourceLimits limits;
  limits.memory_bytes = 1 << 20;
  EXPECT_THAT(apply_failure(*cgroup, limits),
              HasSubstr("cgroup memory: write " +
                        (tree_.root() / instance_file("memory", "memory.limit_in_bytes")).string() + ": ENOENT"));
}

TEST_F(CgroupV1, ALimitWithoutItsHierarchyIsAnError) {
  tree_.write("memory/cgroup.procs", "");
  const auto cgroup = create_cgroup(CgroupMode::v1, tree_.root(), instance_name);
  ResourceLimits limits;
  limits.pids_max = 10;
  EXPECT_THAT(apply_failure(*cgroup, limits),
              HasSubstr("cgroup pids: no pids hierarchy under " + tree_.root().string()));
}

TEST_F(CgroupV1, AnExistingInstanceDirectoryIsAnError) {
  populate_v1(tree_);
  tree_.write(instance_file("memory", "cgroup.procs"), "");
  try {
    create_cgroup(CgroupMode::v1, tree_.root(), instance_name);
    FAIL() << "no error";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("cgroup benchrun-unit-0: mkdir "));
    EXPECT_THAT(error.what(), HasSubstr("EEXIST"));
  }
}

TEST_F(CgroupV1, StatsComeFromMemoryCpuacctCpuAndPids) {
  const auto cgroup = create();
  tree_.write(instance_file("memory", "memory.usage_in_bytes"), "1000\n");
  tree_.write(instance_file("memory", "memory.max_usage_in_bytes"), "2000\n");
  tree_.write(instance_file("memory", "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  tree_.write(instance_file("cpuacct", "cpuacct.usage"), "123456789\n");
  tree_.write(instance_file("cpu", "cpu.stat"), "nr_periods 10\nnr_throttled 4\nthrottled_time 5000\n");
  tree_.write(instance_file("pids", "pids.current"), "3\n");
  const auto stats = cgroup->stats();
  EXPECT_EQ(stats.memory_current_bytes, 1000u);
  EXPECT_EQ(stats.memory_peak_bytes, 2000u);
  EXPECT_EQ(stats.oom_kills, 2u);
  EXPECT_EQ(cgroup->oom_kills(), 2u);
  EXPECT_EQ(stats.cpu_usage_ns, 123456789u);
  EXPECT_EQ(stats.nr_periods, 10u);
  EXPECT_EQ(stats.nr_throttled, 4u);
  EXPECT_EQ(stats.throttled_ns, 5000u);
  EXPECT_EQ(stats.pids_current, 3u);
}

TEST_F(CgroupV1, StatsAreEmptyWhereAFileIsMissing) {
  const auto cgroup = create();
  const auto stats = cgroup->stats();
  EXPECT_FALSE(stats.memory_current_bytes);
  EXPECT_FALSE(stats.oom_kills);
  EXPECT_FALSE(stats.pids_current);
}

}  // namespace
}  // namespace benchrun::runtime
