// The density suite's kernel limits on a fake /proc tree: what is read, which limit a count runs into
// first, when one blocks the next launch, and that a limit raised for a run is put back.
#include "harness/suites/density_limits.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::harness {
namespace {

class FakeProc : public ::testing::Test {
 protected:
  void SetUp() override {
    write("sys/kernel/pid_max", "1000\n");
    write("sys/kernel/threads-max", "50000\n");
    write("sys/fs/file-max", "100000\n");
    write("sys/fs/file-nr", "2000\t0\t100000\n");
    write("sys/fs/nr_open", "1048576\n");
    write("loadavg", "0.50 0.40 0.30 3/400 12345\n");
    write("meminfo", "MemTotal:       24000000 kB\nMemFree:        20000000 kB\nMemAvailable:   22000000 kB\n");
    write("cgroups",
          "#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t2\t40\t1\nmemory\t5\t120\t1\npids\t7\t30\t1\n");
    for (const char* kind : {"mnt", "pid", "uts", "ipc", "net", "cgroup"})
      write(std::string("sys/user/max_") + kind + "_namespaces", "90000\n");
    std::filesystem::create_directories(proc_.path() / "self/fd");
    // Two processes in one net namespace, one in another: two in use.
    for (const auto& [pid, net] : {std::pair{"1", "net:[1]"}, {"2", "net:[1]"}, {"3", "net:[2]"}}) {
      std::filesystem::create_directories(proc_.path() / pid / "ns");
      std::filesystem::create_symlink(net, proc_.path() / pid / "ns" / "net");
    }
  }
  void write(const std::string& relative, const std::string& text) {
    std::filesystem::create_directories((proc_.path() / relative).parent_path());
    sys::write_file_new(proc_.path() / relative, text);
  }
  [[nodiscard]] std::string read(const std::string& relative) const { return sys::read_file(proc_.path() / relative); }
  static const KernelLimit& find(const std::vector<KernelLimit>& limits, std::string_view name) {
    for (const auto& limit : limits) {
      if (limit.name == name) return limit;
    }
    throw std::runtime_error("no limit " + std::string(name));
  }

  testing::TempDir proc_{"density-proc"};
  HostProbe probe_{proc_.path()};
  rlimit nofile_{1024, 4096};
};

TEST(DensityProcParsers, ReadTheFieldsTheLimitsNeed) {
  EXPECT_EQ(meminfo_kib("MemTotal:  100 kB\nMemAvailable:   42 kB\n", "MemAvailable"), 42U);
  EXPECT_EQ(meminfo_kib("MemTotal:  100 kB\n", "MemAvailable"), std::nullopt);
  EXPECT_EQ(meminfo_kib("MemAvailableX: 1 kB\n", "MemAvailable"), std::nullopt);
  EXPECT_EQ(loadavg_tasks("0.00 0.01 0.05 1/234 5678\n"), 234U);
  EXPECT_EQ(loadavg_tasks("garbage"), std::nullopt);
  EXPECT_EQ(allocated_files("1344\t0\t2466112\n"), 1344U);
  EXPECT_EQ(cgroup_count("#subsys_name hierarchy num_cgroups enabled\nmemory 5 120 1\n", "memory"), 120U);
  EXPECT_EQ(cgroup_count("cpu 2 40 1\n", "memory"), std::nullopt);
}

TEST_F(FakeProc, ProbeReadsSysctlsCountersAndNamespacesInUse) {
  EXPECT_EQ(probe_.sysctl("kernel.pid_max"), 1000U);
  EXPECT_EQ(probe_.sysctl("user.max_net_namespaces"), 90000U);
  EXPECT_EQ(probe_.tasks(), 400U);
  EXPECT_EQ(probe_.files(), 2000U);
  EXPECT_EQ(probe_.memory_cgroups(), 120U);
  EXPECT_EQ(probe_.mem_available_bytes(), 22000000ULL << 10);
  EXPECT_EQ(probe_.namespaces_in_use("net"), 2U);
  EXPECT_THROW((void)probe_.sysctl("kernel.no_such_knob"), sys::Error);
}

TEST_F(FakeProc, ContainersTakeNamespacesAndPidsGuestsTakeNoNamespaces) {
  const auto containers = read_limits(probe_, reports::BackendKind::container, nofile_);
  EXPECT_EQ(find(containers, "user.max_net_namespaces").in_use, 2U);
  EXPECT_EQ(find(containers, "kernel.pid_max").in_use, 400U);
  EXPECT_EQ(find(containers, "memory cgroup ids").limit, 65535U);
  EXPECT_EQ(find(containers, "RLIMIT_NOFILE").limit, 1024U);
  const auto guests = read_limits(probe_, reports::BackendKind::vm, nofile_);
  EXPECT_THROW((void)find(guests, "user.max_net_namespaces"), std::runtime_error);
}

TEST_F(FakeProc, PredictionNamesTheLimitThatAllowsFewestInstances) {
  // pid_max 1000, 400 tasks, 300 reserved, 2 per container: 150 more. RLIMIT_NOFILE 1024 with 64 kept
  // free and 4 per container: 240 more.
  const auto limits = read_limits(probe_, reports::BackendKind::container, nofile_);
  const auto first = first_limit_reached(limits, 6000);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->limit.name, "kernel.pid_max");
  EXPECT_EQ(first->instances, 150U);
  EXPECT_FALSE(first_limit_reached(limits, 150));
  EXPECT_NE(describe(first->limit).find("room for 150 more instances"), std::string::npos);
}

TEST_F(FakeProc, LimitBlocksTheLaunchThatWouldCrossIt) {
  KernelLimit pids{LimitCounter::tasks, "kernel.pid_max", "tasks", 1000, 696, 300, 2.0, true, true};
  const std::vector<KernelLimit> limits{pids};
  EXPECT_FALSE(blocking_limit(limits, 0));  // room for 2 instances
  EXPECT_FALSE(blocking_limit(limits, 1));
  ASSERT_TRUE(blocking_limit(limits, 2));
  EXPECT_EQ(blocking_limit(limits, 2)->name, "kernel.pid_max");
  KernelLimit unused = pids;
  unused.per_instance = 0;
  EXPECT_FALSE(blocking_limit(std::vector<KernelLimit>{unused}, 1000000));
}

TEST_F(FakeProc, RaisedSysctlIsPutBackWhenTheRunEnds) {
  const auto limits = read_limits(probe_, reports::BackendKind::container, nofile_);
  {
    RaisedLimits raised(probe_);
    std::string why_not;
    ASSERT_TRUE(raised.raise_for(find(limits, "kernel.pid_max"), 6000, why_not)) << why_not;
    const std::uint64_t raised_to = probe_.sysctl("kernel.pid_max");
    EXPECT_GE(raised_to, 400U + 300U + 2U * 6000U);
    ASSERT_EQ(raised.changes().size(), 1U);
    EXPECT_NE(raised.changes().front().find("kernel.pid_max raised from 1000 to"), std::string::npos);
  }
  EXPECT_EQ(read("sys/kernel/pid_max"), "1000");
}

TEST_F(FakeProc, LimitThatCannotBeRaisedSaysWhy) {
  RaisedLimits raised(probe_);
  std::string why_not;
  const KernelLimit memcgs{
      LimitCounter::memory_cgroups, "memory cgroup ids", "memory cgroups", 65535, 120, 0, 1.0, false, false};
  EXPECT_FALSE(raised.raise_for(memcgs, 100000, why_not));
  EXPECT_NE(why_not.find("cannot be raised"), std::string::npos);
  const KernelLimit pids{LimitCounter::tasks, "kernel.pid_max", "tasks", 1000, 400, 300, 2.0, false, true};
  EXPECT_FALSE(raised.raise_for(pids, 10'000'000, why_not));
  EXPECT_NE(why_not.find("ceiling"), std::string::npos);
  EXPECT_TRUE(raised.changes().empty());
  EXPECT_EQ(read("sys/kernel/pid_max"), "1000\n");
}

TEST(DensityErrno, LaunchFailuresNameTheLimitTheyHit) {
  EXPECT_NE(limit_named_by_errno(EMFILE)->find("RLIMIT_NOFILE"), std::string::npos);
  EXPECT_NE(limit_named_by_errno(ENFILE)->find("fs.file-max"), std::string::npos);
  EXPECT_NE(limit_named_by_errno(EAGAIN)->find("kernel.pid_max"), std::string::npos);
  EXPECT_NE(limit_named_by_errno(ENOSPC)->find("namespaces"), std::string::npos);
  EXPECT_EQ(limit_named_by_errno(ENOENT), std::nullopt);
}

}  // namespace
}  // namespace benchrun::harness
