// Are the cgroup limits enforced on the real kernel, and read back?
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <fmt/format.h>

#include <regex>

#include "container_fixture.hpp"
#include "runtime/cgroup/conversions.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::runtime::testing {
namespace {

// The message of a start that must fail: one line.
std::string start_failure(const ContainerConfig& config) {
  try {
    auto container = Container::start(config);
  } catch (const sys::Error& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    return message;
  }
  ADD_FAILURE() << "container " << config.name << " started";
  return {};
}

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::uint64_t kMiB = 1024 * 1024;

TEST(ContainerLimits, MemoryLimitOomKillsHogAndIsReported) {
  auto config = config_for({"/bench/bin/hog", "256"});
  config.limits.memory_bytes = 64 * kMiB;
  const auto outcome = run_to_completion(config);
  EXPECT_TRUE(outcome.status.oom_killed) << outcome.output;
  EXPECT_NE(outcome.status.shell_code(), 0);
  EXPECT_THAT(outcome.output, Not(HasSubstr("hog: touched")));
  ASSERT_TRUE(outcome.stats.oom_kills);
  EXPECT_GE(*outcome.stats.oom_kills, 1u);
  ASSERT_TRUE(outcome.stats.memory_peak_bytes);
  EXPECT_LE(*outcome.stats.memory_peak_bytes, 64 * kMiB);
  EXPECT_GE(*outcome.stats.memory_peak_bytes, 32 * kMiB);
}

TEST(ContainerLimits, HogUnderItsLimitIsNotOomKilled) {
  auto config = config_for({"/bench/bin/hog", "16"});
  config.limits.memory_bytes = 64 * kMiB;
  const auto outcome = run_to_completion(config);
  EXPECT_FALSE(outcome.status.oom_killed) << outcome.output;
  EXPECT_EQ(outcome.status.exit_code, 0) << outcome.output;
  EXPECT_THAT(outcome.output, HasSubstr("hog: touched 16 MiB"));
}

TEST(ContainerLimits, PidsMaxCapsForker) {
  auto config = config_for({"/bench/bin/forker", "100"});
  config.limits.pids_max = 16;
  const auto outcome = run_to_completion(config);
  // benchinit and forker count against the 16: at most 14 children.
  std::smatch match;
  ASSERT_TRUE(std::regex_search(outcome.output, match, std::regex("forker: (\\d+) of 100 children started")))
      << outcome.output;
  const int started = std::stoi(match[1]);
  EXPECT_LE(started, 14) << outcome.output;
  EXPECT_GE(started, 10) << outcome.output;
  EXPECT_EQ(outcome.status.exit_code, 1) << outcome.output;
}

TEST(ContainerLimits, HalfACpuQuotaCapsSpinAtHalfACoreAndThrottles) {
  auto config = config_for({"/bench/bin/spin", "2000"});
  config.limits.cpus = 0.5;
  const auto quota = cpus_to_quota(0.5);
  const auto started = sys::monotonic_now();
  const auto outcome = run_to_completion(config);
  const auto wall_ns = static_cast<double>(sys::monotonic_now() - started);
  EXPECT_EQ(outcome.status.exit_code, 0) << outcome.output;
  ASSERT_TRUE(outcome.stats.cpu_usage_ns);
  ASSERT_TRUE(outcome.stats.nr_throttled);
  ASSERT_TRUE(outcome.stats.throttled_ns);
  const auto usage_ns = static_cast<double>(*outcome.stats.cpu_usage_ns);
  const auto describe = [&] {
    return fmt::format("cpu usage {} ns over {} ns, throttled in {} periods", usage_ns, wall_ns,
                       *outcome.stats.nr_throttled);
  };
  // The cap: unlimited, spin takes a whole core; a busy machine can only lower its share, never raise
  // it, so this bound (0.5 + a period's slack over 2 s) holds under any load.
  EXPECT_LT(usage_ns / wall_ns, 0.65) << describe();
  // Throttling happens only where a quota exists and was used up.
  EXPECT_GT(*outcome.stats.nr_throttled, 0u) << describe();
  EXPECT_GT(*outcome.stats.throttled_ns, 0u) << describe();
  // Not tighter than asked: a period ends throttled only after the instance used its quota in it (less
  // what other CPUs held back), whatever else ran. Half of it leaves room for that; a quota ten times
  // too small, as a unit slip would make, fails.
  const double quota_ns = static_cast<double>(quota.quota_us) * 1000;
  EXPECT_GE(usage_ns, static_cast<double>(*outcome.stats.nr_throttled) * quota_ns / 2) << describe();
}

TEST(ContainerLimits, CpusetPinsTheInstance) {
  auto config = config_for({});
  config.limits.cpuset_cpus = "0";
  const auto outcome = run_shell("grep Cpus_allowed_list /proc/self/status", config);
  EXPECT_THAT(outcome.output, HasSubstr("Cpus_allowed_list:\t0\n")) << outcome.output;
}

TEST(ContainerLimits, IoThrottleIsSetForTheRootDisk) {
  struct stat root {};
  ASSERT_EQ(::stat("/", &root), 0);
  IoDeviceLimit disk;
  disk.major = major(root.st_dev);
  disk.minor = minor(root.st_dev);
  disk.read_bps = 10 * kMiB;
  disk.write_iops = 100;
  auto config = config_for({"/bench/bin/spin", "100"});
  config.limits.io.push_back(disk);
  std::string read_bps;
  {
    auto container = Container::start(config);
    for (const auto& path : container.cgroup_paths()) {
      if (std::filesystem::exists(path / "blkio.throttle.read_bps_device")) {
        read_bps = sys::read_file(path / "blkio.throttle.read_bps_device");
      } else if (std::filesystem::exists(path / "io.max")) {
        read_bps = sys::read_file(path / "io.max");
      }
    }
    EXPECT_EQ(container.wait().exit_code, 0);
  }
  const auto device = std::to_string(disk.major) + ":" + std::to_string(disk.minor);
  EXPECT_THAT(read_bps, ::testing::AnyOf(HasSubstr(device + " 10485760"), HasSubstr(device + " rbps=10485760")))
      << "root disk " << device << " (a partition cannot be throttled: the test wants / on a whole disk)";
  expect_nothing_left(config.name, -1);
}

TEST(ContainerLimits, StatsReportUsageWhileRunning) {
  auto config = config_for({"/bench/bin/spin", "2000"});
  auto output = sys::make_pipe();
  config.stdout_fd = output.write_end.get();
  auto container = Container::start(config);
  output.write_end.reset();
  // benchinit (pid 1 of the instance) runs until spin is done, however the machine is loaded.
  const auto stats = container.stats();
  ASSERT_TRUE(stats.memory_current_bytes);
  EXPECT_GT(*stats.memory_current_bytes, 0u);
  ASSERT_TRUE(stats.pids_current);
  EXPECT_GE(*stats.pids_current, 1u);
  EXPECT_EQ(container.wait().exit_code, 0);
  // The cgroup accounts at least the CPU time spin's own rusage reports (benchinit's wait4), whatever
  // share of a core a busy machine gave it.
  std::string text(4096, '\0');
  text.resize(static_cast<std::size_t>(std::max<ssize_t>(0, ::read(output.read_end.get(), text.data(), text.size()))));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(text, match, std::regex("\"user_us\":(\\d+),\"sys_us\":(\\d+)"))) << text;
  const std::uint64_t workload_cpu_ns = (std::stoull(match[1]) + std::stoull(match[2])) * 1000;
  const auto usage_ns = container.stats().cpu_usage_ns.value_or(0);
  EXPECT_GT(usage_ns, 0u);
  EXPECT_GE(usage_ns, workload_cpu_ns) << text;
  const auto pid = container.pid();
  container.destroy();
  expect_nothing_left(config.name, pid);
}

TEST(ContainerLimits, ACpusetTheKernelRejectsIsAOneLineErrorNamingTheResource) {
  auto config = config_for({"/bench/bin/hello"});
  config.limits.cpuset_cpus = "99";
  const std::string message = start_failure(config);
  EXPECT_THAT(message, HasSubstr("container " + config.name + ": cgroup cpuset: write "));
  EXPECT_THAT(message, ::testing::ContainsRegex("cpuset.cpus: (EINVAL|ERANGE)"));
  expect_nothing_left(config.name, -1);
}

TEST(ContainerLimits, AMissingRootfsIsAOneLineError) {
  auto config = config_for({"/bench/bin/hello"});
  config.rootfs = "/nonexistent/benchrun-image/rootfs";
  EXPECT_THAT(start_failure(config),
              HasSubstr("container " + config.name + ": rootfs /nonexistent/benchrun-image/rootfs"));
  expect_nothing_left(config.name, -1);
}

TEST(ContainerLimits, AMissingWorkloadBinaryFailsStartWithTheExecError) {
  auto config = config_for({});
  config.argv = {"/bench/bin/no-such-workload"};
  EXPECT_THAT(start_failure(config), HasSubstr("exec /bench/bin/no-such-workload: ENOENT"));
  expect_nothing_left(config.name, -1);
}

}  // namespace
}  // namespace benchrun::runtime::testing
