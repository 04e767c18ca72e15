// cgroup v1 logic on a fake tree: one directory per controller, files as the kernel names them.
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

TEST(CgroupV1, CreatesOneDirectoryPerHierarchyUnderABenchrunParent) {
  const FakeCgroupTree tree;
  populate_v1(tree);
  const auto cgroup = create_cgroup(CgroupMode::v1, tree.root(), instance_name);
  const auto paths = cgroup->paths();
  EXPECT_EQ(paths.size(), 6u);
  for (const char* controller : {"memory", "cpu", "cpuacct", "cpuset", "pids", "blkio"}) {
    EXPECT_TRUE(std::filesystem::is_directory(tree.root() / controller / "benchrun" / instance_name)) << controller;
  }
}

TEST(CgroupV1, HasNoDirectoryToCloneIntoSinceAProcessJoinsOnePerHierarchy) {
  const FakeCgroupTree tree;
  populate_v1(tree);
  const auto cgroup = create_cgroup(CgroupMode::v1, tree.root(), instance_name);
  EXPECT_FALSE(cgroup->open_dir_for_clone().has_value());
}

TEST(CgroupV1, CpusetAndBlkioAreJoinedOnlyWhenLimited) {
  const FakeCgroupTree tree;
  populate_v1(tree);
  ResourceLimits limits;
  limits.memory_bytes = 1 << 20;
  const auto unpinned = create_cgroup(CgroupMode::v1, tree.root(), instance_name, controllers_for(limits));
  EXPECT_EQ(unpinned->paths().size(), 4u);
  EXPECT_FALSE(std::filesystem::exists(tree.root() / "cpuset/benchrun" / instance_name));
  EXPECT_FALSE(std::filesystem::exists(tree.root() / "blkio/benchrun" / instance_name));
  limits.cpuset_cpus = "0";
  limits.io.push_back(IoDeviceLimit{});
  const auto pinned = create_cgroup(CgroupMode::v1, tree.root(), "benchrun-unit-1", controllers_for(limits));
  EXPECT_EQ(pinned->paths().size(), 6u);
}

TEST(CgroupV1, CoMountedControllersShareOneDirectory) {
  const FakeCgroupTree tree;
  tree.write("cpu,cpuacct/cgroup.procs", "");
  tree.write("memory/cgroup.procs", "");
  std::filesystem::create_directory_symlink("cpu,cpuacct", tree.root() / "cpu");
  std::filesystem::create_directory_symlink("cpu,cpuacct", tree.root() / "cpuacct");
  const auto cgroup = create_cgroup(CgroupMode::v1, tree.root(), instance_name);
  EXPECT_EQ(cgroup->paths().size(), 2u);
  tree.write(std::filesystem::path("cpu,cpuacct/benchrun") / instance_name / "cpuacct.usage", "777\n");
  EXPECT_EQ(cgroup->stats().cpu_usage_ns, 777u);
}

TEST(CgroupV1, WritesEveryLimitToItsControllersFile) {
  const FakeCgroupTree tree;
  populate_v1(tree);
  const auto cgroup = create_cgroup(CgroupMode::v1, tree.root(), instance_name);
  populate_instance(tree);
  ResourceLimits limits;
  limits.memory_bytes = 64ull << 20;
  limits.cpus = 0.5;
  limits.cpu_weight = 100;
  limits.pids_max = 16;
  limits.cpuset_cpus = "1";
  IoDeviceLimit disk;
  disk.major = 8;
  disk.minor = 0;
  disk.read_bps = 1'000'000;
  disk.write_iops = 50;
  limits.io.push_back(disk);
  cgroup->apply(limits);
  EXPECT_EQ(tree.read(instance_file("memory", "memory.limit_in_bytes")), "67108864");
  EXPECT_EQ(tree.read(instance_file("cpu", "cpu.cfs_period_us")), "100000");
  EXPECT_EQ(tree.read(instance_file("cpu", "cpu.cfs_quota_us")), "50000");
  EXPECT_EQ(tree.read(instance_file("cpu", "cpu.shares")), "2597");
  EXPECT_EQ(tree.read(instance_file("pids", "pids.max")), "16");
  EXPECT_EQ(tree.read(instance_file("cpuset", "cpuset.cpus")), "1");
  EXPECT_EQ(tree.read(instance_file("blkio", "blkio.throttle.read_bps_device")), "8:0 1000000");
  EXPECT_EQ(tree.read(instance_file("blkio", "blkio.throttle.write_iops_device")), "8:0 50");
}

TEST(CgroupV1, FillsCpusetCpusAndMemsFromTheHierarchyBeforeTasksJoin) {
  const FakeCgroupTree tree;
  populate_v1(tree);
  const auto cgroup = create_cgroup(CgroupMode::v1, tree.root(), instance_name);
  populate_instance(tree);
  cgroup->apply({});
  EXPECT_EQ(tree.read("cpuset/benchrun/cpuset.cpus"), "0-1");
  EXPECT_EQ(tree.read("cpuset/benchrun/cpuset.mems"), "0");
  EXPECT_EQ(tree.read(instance_file("cpuset", "cpuset.cpus")), "0-1");
  EXPECT_EQ(tree.read(instance_file("cpuset", "cpuset.mems")), "0");
  EXPECT_EQ(tree.read(instance_file("memory", "memory.limit_in_bytes")), "") << "an unset limit is not written";
}

TEST(CgroupV1, AFailedWriteNamesTheResourceAndTheFile) {
  const FakeCgroupTree tree;
  populate_v1(tree);
  const auto cgroup = create_cgroup(CgroupMode::v1, tree.root(), instance_name);  // no instance files: ENOENT
  ResourceLimits limits;
  limits.memory_bytes = 1 << 20;
  try {
    cgroup->apply(limits);
    FAIL() << "no error";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(),
                HasSubstr("cgroup memory: write " +
                          (tree.root() / instance_file("memory", "memory.limit_in_bytes")).string() + ": ENOENT"));
  }
}

TEST(CgroupV1, ALimitWithoutItsHierarchyIsAnError) {
  const FakeCgroupTree tree;
  tree.write("memory/cgroup.procs", "");
  const auto cgroup = create_cgroup(CgroupMode::v1, tree.root(), instance_name);
  ResourceLimits limits;
  limits.pids_max = 10;
  try {
    cgroup->apply(limits);
    FAIL() << "no error";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("cgroup pids: no pids hierarchy under " + tree.root().string()));
  }
}

TEST(CgroupV1, AnExistingInstanceDirectoryIsAnError) {
  const FakeCgroupTree tree;
  populate_v1(tree);
  tree.write(instance_file("memory", "cgroup.procs"), "");
  try {
    create_cgroup(CgroupMode::v1, tree.root(), instance_name);
    FAIL() << "no error";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("cgroup benchrun-unit-0: mkdir "));
    EXPECT_THAT(error.what(), HasSubstr("EEXIST"));
  }
}

TEST(CgroupV1, StatsComeFromMemoryCpuacctCpuAndPids) {
  const FakeCgroupTree tree;
  populate_v1(tree);
  const auto cgroup = create_cgroup(CgroupMode::v1, tree.root(), instance_name);
  tree.write(instance_file("memory", "memory.usage_in_bytes"), "1000\n");
  tree.write(instance_file("memory", "memory.max_usage_in_bytes"), "2000\n");
  tree.write(instance_file("memory", "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  tree.write(instance_file("cpuacct", "cpuacct.usage"), "123456789\n");
  tree.write(instance_file("cpu", "cpu.stat"), "nr_periods 10\nnr_throttled 4\nthrottled_time 5000\n");
  tree.write(instance_file("pids", "pids.current"), "3\n");
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

TEST(CgroupV1, StatsAreEmptyWhereAFileIsMissing) {
  const FakeCgroupTree tree;
  populate_v1(tree);
  const auto cgroup = create_cgroup(CgroupMode::v1, tree.root(), instance_name);
  const auto stats = cgroup->stats();
  EXPECT_FALSE(stats.memory_current_bytes);
  EXPECT_FALSE(stats.oom_kills);
  EXPECT_FALSE(stats.pids_current);
}

}  // namespace
}  // namespace benchrun::runtime
