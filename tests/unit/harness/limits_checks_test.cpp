// The limits suite's judgement, pure: what each check's verdicts say for observations where the limit held,
// and that each flips to fail when the limit was not there (the observations --limits-off produces), and the
// host's view read from fake v1 and v2 cgroup trees.
#include "harness/suites/limits_checks.hpp"

#include <gtest/gtest.h>

#include <cerrno>

#include "harness/suites/limits_host.hpp"
#include "sys/file_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::harness {
namespace {

constexpr std::uint64_t mib = 1ULL << 20;

const LimitCheck& check(std::string_view name) {
  static const std::vector<LimitCheck> checks = limit_checks(2);
  const LimitCheck* found = find_limit_check(checks, name);
  if (found == nullptr) throw std::runtime_error("no check " + std::string(name));
  return *found;
}

std::vector<reports::Verdict> judge(std::string_view name, const Observation& seen) {
  return check(name).judge(check(name), seen);
}

bool all_pass(const std::vector<reports::Verdict>& verdicts) {
  return !verdicts.empty() && std::all_of(verdicts.begin(), verdicts.end(), [](const auto& v) { return v.pass; });
}
bool none_pass(const std::vector<reports::Verdict>& verdicts) {
  return !verdicts.empty() && std::none_of(verdicts.begin(), verdicts.end(), [](const auto& v) { return v.pass; });
}
std::string reasons(const std::vector<reports::Verdict>& verdicts) {
  std::string text;
  for (const auto& verdict : verdicts) text += verdict.check + ": " + verdict.why + "\n";
  return text;
}

TEST(LimitsValuesClose, IsTheSelftestsRelativeDistance) {
  EXPECT_TRUE(values_close(100, 110, 0.10));   // |10| <= 210 * 0.05
  EXPECT_FALSE(values_close(100, 125, 0.10));  // |25| > 225 * 0.05
  EXPECT_TRUE(values_close(0, 0, 0.0));
}

TEST(LimitsCpuList, ParsesRangesAndRefusesGarbage) {
  EXPECT_EQ(cpu_list_mask("0-2,5\n"), 0b100111U);
  EXPECT_EQ(cpu_list_mask("1"), 0b10U);
  EXPECT_EQ(cpu_list_mask(""), std::nullopt);
  EXPECT_EQ(cpu_list_mask("2-1"), std::nullopt);
  EXPECT_EQ(cpu_list_mask("x"), std::nullopt);
  EXPECT_EQ(cpu_list_mask("64"), std::nullopt);
}

TEST(LimitsChecks, AreNamedCasesWithTheirOwnLimits) {
  EXPECT_EQ(limit_check_names(),
            (std::vector<std::string>{"memory", "cpu-quota", "pids", "cpuset", "cpu-weight", "cpu-quota-stress-ng",
                                      "memory-stress-ng", "freezer", "devices", "io-read-bps", "io-read-iops",
                                      "page-cache", "memory-swap"}));
  EXPECT_EQ(check("memory").limits.memory_bytes, 32 * mib);
  EXPECT_EQ(check("cpu-quota").limits.cpus, 0.25);
  EXPECT_EQ(check("pids").limits.pids_max, 16U);
  EXPECT_EQ(check("cpuset").limits.cpuset_cpus, "1");  // the last of 2 CPUs
  const std::vector<LimitCheck> one_cpu = limit_checks(1);
  EXPECT_EQ(find_limit_check(one_cpu, "cpuset")->limits.cpuset_cpus, "0");
  EXPECT_EQ(find_limit_check(one_cpu, "cpu-weight")->limits.cpuset_cpus, "0");
}

// A hog killed at the limit, seen from both sides.
Observation memory_held() {
  Observation seen;
  seen.host.memory_limit_bytes = 32 * mib;
  seen.host.memory_peak_bytes = 32 * mib;
  seen.host.oom_kills = 1;
  seen.workload.oom_killed = true;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"hog_signal", 9.0}, {"hog_exit_code", -1.0}};
  return seen;
}

TEST(LimitsMemory, HogKilledOnceAtTheLimitPasses) {
  const auto verdicts = judge("memory", memory_held());
  ASSERT_EQ(verdicts.size(), 2U);
  EXPECT_TRUE(all_pass(verdicts)) << reasons(verdicts);
  EXPECT_EQ(verdicts[0].check, "memory.oom_kill");
  EXPECT_EQ(verdicts[1].check, "memory.peak_within_limit");
  EXPECT_EQ(std::get<double>(*verdicts[1].measured), 32.0);
}

TEST(LimitsMemory, WithoutTheLimitTheHogFinishesAndBothVerdictsFail) {
  Observation seen;
  seen.limit_applied = false;
  seen.host.memory_limit_bytes = 9223372036854771712ULL;  // v1's "no limit"
  seen.host.memory_peak_bytes = 130 * mib;
  seen.host.oom_kills = 0;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"hog_signal", 0.0}, {"hog_exit_code", 0.0}};
  const auto verdicts = judge("memory", seen);
  EXPECT_TRUE(none_pass(verdicts)) << reasons(verdicts);
  EXPECT_NE(verdicts[0].why.find("--limits-off"), std::string::npos) << verdicts[0].why;
}

TEST(LimitsMemory, TwoOomKillsOrAPeakOverTheLimitFail) {
  Observation twice = memory_held();
  twice.host.oom_kills = 2;
  EXPECT_FALSE(judge("memory", twice)[0].pass);
  Observation over = memory_held();
  over.host.memory_peak_bytes = 32 * mib + 4096;
  EXPECT_FALSE(judge("memory", over)[1].pass);
  Observation unread = memory_held();
  unread.host.oom_kills.reset();
  EXPECT_FALSE(judge("memory", unread)[0].pass);
  Observation other_signal = memory_held();  // the host counted a kill, but the hog ended otherwise
  other_signal.workload.metrics["hog_signal"] = 11.0;
  EXPECT_FALSE(judge("memory", other_signal)[0].pass);
}

// 3 s at a quarter CPU: 30 periods of 25 ms, 750 ms allowed.
Observation cpu_held(double host_ms, double own_ms) {
  Observation seen;
  seen.host.cpu_quota_us = 25'000;
  seen.host.cpu_period_us = 100'000;
  seen.host.cpu_usage_ns = static_cast<std::uint64_t>(host_ms * 1e6);
  seen.host.nr_periods = 30;
  seen.host.nr_throttled = 29;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"burner_wall_ms", 3000.0}, {"burner_cpu_ms", own_ms}};
  return seen;
}

TEST(LimitsCpuQuota, UsageAtTheQuotaPassesAndReportsTheShare) {
  const auto verdicts = judge("cpu-quota", cpu_held(752, 749));
  ASSERT_EQ(verdicts.size(), 1U);
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_NEAR(std::get<double>(*verdicts[0].measured), 752.0 / 3000.0, 1e-9);
  EXPECT_EQ(verdicts[0].tolerance, 0.10);
}

TEST(LimitsCpuQuota, LessThanTheQuotaPassesOnALoadedHost) {
  EXPECT_TRUE(judge("cpu-quota", cpu_held(400, 399))[0].pass);
}

TEST(LimitsCpuQuota, OverTheToleranceFailsFromEitherSide) {
  EXPECT_FALSE(judge("cpu-quota", cpu_held(850, 749))[0].pass);  // +13 %: the cgroup's count
  EXPECT_FALSE(judge("cpu-quota", cpu_held(752, 850))[0].pass);  // the burner's own count
  EXPECT_TRUE(judge("cpu-quota", cpu_held(820, 800))[0].pass);   // +9 %
}

TEST(LimitsCpuQuota, WithoutTheQuotaTheBurnerTakesAWholeCpuAndFails) {
  Observation seen = cpu_held(2990, 2985);
  seen.limit_applied = false;
  seen.host.cpu_quota_us.reset();
  seen.host.nr_throttled = 0;
  const auto verdicts = judge("cpu-quota", seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_NE(verdicts[0].why.find("no throttled period"), std::string::npos) << verdicts[0].why;
}

// The v2 guest run (vm+container under TCG): the runtime's setup in the cgroup took 1.3 s of wall at the quota
// before the burner started, so the cgroup counted 1365 ms against the burner's 783 ms in 3096 ms. The cgroup's
// side is judged over the instance's launch to exit, which holds that setup.
TEST(LimitsCpuQuota, TheCgroupsSideIsJudgedOverTheInstancesLifeSetupIncluded) {
  Observation seen = cpu_held(1365, 783);
  seen.workload.metrics["burner_wall_ms"] = 3096;
  EXPECT_FALSE(judge("cpu-quota", seen)[0].pass) << "over the burner's window alone: +76 %";
  seen.instance_wall_ms = 5400;
  const auto verdicts = judge("cpu-quota", seen);
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_NEAR(std::get<double>(*verdicts[0].measured), 1365.0 / 5400.0, 1e-9);
  // A cgroup without its quota still fails over the longer window: a whole CPU is four times the quota.
  seen = cpu_held(5000, 2990);
  seen.instance_wall_ms = 5400;
  seen.host.cpu_quota_us.reset();
  EXPECT_FALSE(judge("cpu-quota", seen)[0].pass);
}

TEST(LimitsCpuQuota, NoThrottlingMeansTheBurnerNeverPushedAndFails) {
  Observation seen = cpu_held(700, 699);
  seen.host.nr_throttled = 0;
  EXPECT_FALSE(judge("cpu-quota", seen)[0].pass);
}

Observation pids_held() {
  Observation seen;
  seen.host.pids_max = 16;
  seen.host.pids_max_events = 50;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 1;
  seen.workload.metrics = {{"forks_started", 14.0}, {"fork_errno", EAGAIN}};
  return seen;
}

TEST(LimitsPids, ForksCappedAtTheLimitWithEagainPass) {
  const auto verdicts = judge("pids", pids_held());
  ASSERT_EQ(verdicts.size(), 1U);
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_EQ(std::get<double>(*verdicts[0].measured), 16.0);
}

TEST(LimitsPids, OneForkTooManyOrTooFewOrAnotherErrnoFails) {
  for (double started : {13.0, 15.0}) {
    Observation seen = pids_held();
    seen.workload.metrics["forks_started"] = started;
    EXPECT_FALSE(judge("pids", seen)[0].pass) << started;
  }
  Observation other_errno = pids_held();
  other_errno.workload.metrics["fork_errno"] = ENOMEM;
  EXPECT_FALSE(judge("pids", other_errno)[0].pass);
}

TEST(LimitsPids, WithoutTheLimitEveryForkSucceedsAndFails) {
  Observation seen;
  seen.limit_applied = false;
  seen.host.pids_max_events = 0;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"forks_started", 64.0}, {"fork_errno", 0.0}};
  const auto verdicts = judge("pids", seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_NE(verdicts[0].why.find("no fork failed"), std::string::npos) << verdicts[0].why;
}

Observation cpuset_held() {
  Observation seen;
  seen.host.cpuset_effective = "1";
  seen.host.usage_per_cpu_ns = {1'000, 900'000'000};
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"affinity_mask", 2.0}, {"cpus_seen_mask", 2.0}, {"getcpu_samples", 1e6}};
  return seen;
}

TEST(LimitsCpuset, AffinityAndUsageOnTheSetPass) {
  const auto verdicts = judge("cpuset", cpuset_held());
  ASSERT_EQ(verdicts.size(), 1U);
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_EQ(std::get<std::string>(*verdicts[0].measured), "1");
}

TEST(LimitsCpuset, WithoutTheSetTheProbeSeesEveryCpuAndFails) {
  Observation seen;
  seen.limit_applied = false;
  seen.host.usage_per_cpu_ns = {500'000'000, 500'000'000};
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"affinity_mask", 3.0}, {"cpus_seen_mask", 3.0}};
  const auto verdicts = judge("cpuset", seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_EQ(std::get<std::string>(*verdicts[0].measured), "0-1");
}

TEST(LimitsCpuset, UsageOnAnotherCpuBeyondOnePercentFails) {
  Observation seen = cpuset_held();
  seen.host.usage_per_cpu_ns = {20'000'000, 900'000'000};
  EXPECT_FALSE(judge("cpuset", seen)[0].pass);
}

TEST(LimitsChecks, AWorkloadThatReportedNothingFailsWithItsEnd) {
  Observation crashed;
  crashed.workload.result_seen = true;
  crashed.workload.signal = 11;
  for (const char* name : {"cpu-quota", "pids", "cpuset"}) {
    const auto verdicts = judge(name, crashed);
    EXPECT_FALSE(verdicts[0].pass) << name;
    EXPECT_NE(verdicts[0].why.find("signal 11"), std::string::npos) << verdicts[0].why;
  }
}

class FakeCgroupTree : public ::testing::Test {
 protected:
  void write(const std::string& relative, const std::string& text) {
    std::filesystem::create_directories((root_.path() / relative).parent_path());
    sys::write_file_new(root_.path() / relative, text);
  }
  testing::TempDir root_{"limits-cgroup"};
};

TEST_F(FakeCgroupTree, V1FilesAreReadPerController) {
  const std::string dir = "benchrun/i1/";
  write("memory/" + dir + "memory.limit_in_bytes", "33554432\n");
  write("memory/" + dir + "memory.max_usage_in_bytes", "33550000\n");
  write("memory/" + dir + "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
  write("cpuacct/" + dir + "cpuacct.usage", "750000000\n");
  write("cpuacct/" + dir + "cpuacct.usage_percpu", "10 750000000 \n");
  write("cpu/" + dir + "cpu.cfs_quota_us", "-1\n");
  write("cpu/" + dir + "cpu.cfs_period_us", "100000\n");
  write("cpu/" + dir + "cpu.stat", "nr_periods 30\nnr_throttled 29\nthrottled_time 5\n");
  write("pids/" + dir + "pids.max", "max\n");
  write("pids/" + dir + "pids.events", "max 3\n");
  write("cpu/" + dir + "cpu.shares", "7840\n");
  const HostView view = read_host_view(runtime::CgroupMode::hybrid, root_.path(), "benchrun/i1");
  EXPECT_EQ(view.memory_limit_bytes, 32 * mib);
  EXPECT_EQ(view.memory_peak_bytes, 33'550'000U);
  EXPECT_EQ(view.oom_kills, 1U);
  EXPECT_EQ(view.cpu_usage_ns, 750'000'000U);
  EXPECT_EQ(view.usage_per_cpu_ns, (std::vector<std::uint64_t>{10, 750'000'000}));
  EXPECT_EQ(view.cpu_quota_us, std::nullopt);  // -1: unlimited
  EXPECT_EQ(view.cpu_period_us, 100'000U);
  EXPECT_EQ(view.nr_throttled, 29U);
  EXPECT_EQ(view.pids_max, std::nullopt);
  EXPECT_EQ(view.pids_max_events, 3U);
  EXPECT_EQ(view.cpuset_effective, std::nullopt);  // not joined
  EXPECT_EQ(view.cpu_shares, 7840U);
  EXPECT_EQ(view.cpu_weight, std::nullopt);
}

TEST_F(FakeCgroupTree, V2FilesAreReadFromOneDirectory) {
  const std::string dir = "run/leaf/";
  write(dir + "memory.max", "33554432\n");
  write(dir + "memory.peak", "1000\n");
  write(dir + "memory.events", "low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n");
  write(dir + "cpu.stat", "usage_usec 750000\nuser_usec 1\nsystem_usec 2\nnr_periods 30\nnr_throttled 28\n");
  write(dir + "cpu.max", "25000 100000\n");
  write(dir + "pids.max", "16\n");
  write(dir + "pids.events", "max 50\n");
  write(dir + "cpuset.cpus.effective", "1\n");
  write(dir + "cpu.weight", "300\n");
  const HostView view = read_host_view(runtime::CgroupMode::v2, root_.path(), "run/leaf");
  EXPECT_EQ(view.memory_limit_bytes, 32 * mib);
  EXPECT_EQ(view.oom_kills, 1U);
  EXPECT_EQ(view.cpu_usage_ns, 750'000'000U);
  EXPECT_EQ(view.cpu_quota_us, 25'000U);
  EXPECT_EQ(view.cpu_period_us, 100'000U);
  EXPECT_EQ(view.nr_throttled, 28U);
  EXPECT_EQ(view.pids_max, 16U);
  EXPECT_EQ(view.pids_max_events, 50U);
  EXPECT_EQ(view.cpuset_effective, "1");
  EXPECT_TRUE(view.usage_per_cpu_ns.empty());
  EXPECT_EQ(view.cpu_weight, 300U);
  EXPECT_EQ(view.cpu_shares, std::nullopt);
}

TEST(LimitsHost, AGoneCgroupKeepsItsLastReadAndTakesTheParentsInstanceCounters) {
  HostView last;
  last.memory_limit_bytes = 32 * mib;
  last.memory_peak_bytes = 31 * mib;
  last.oom_kills = 0;
  last.cpu_usage_ns = 100;
  last.pids_max = 16;
  HostView parent;
  parent.memory_peak_bytes = 33 * mib;  // the runtime's own charges before the init moved: not the instance's
  parent.oom_kills = 1;
  parent.cpu_usage_ns = 200;
  parent.usage_per_cpu_ns = {0, 200};
  const HostView merged = merge_final_counters(last, parent);
  EXPECT_EQ(merged.memory_limit_bytes, 32 * mib);
  EXPECT_EQ(merged.memory_peak_bytes, 31 * mib);
  EXPECT_EQ(merged.oom_kills, 1U);
  EXPECT_EQ(merged.cpu_usage_ns, 200U);
  EXPECT_EQ(merged.pids_max, 16U);
  EXPECT_EQ(merged.usage_per_cpu_ns, (std::vector<std::uint64_t>{0, 200}));
  EXPECT_FALSE(merged.note.empty());
  // ... and every verdict says where its figures came from.
  Observation seen = memory_held();
  seen.host.note = merged.note;
  EXPECT_NE(judge("memory", seen)[0].why.find(merged.note), std::string::npos);
}

TEST(LimitsHost, InstanceCgroupsAreWhereEachRuntimePutsThem) {
  EXPECT_EQ(instance_cgroup_relative(reports::BackendKind::container, "benchrun-r-1"), "benchrun/benchrun-r-1");
  const auto oci = instance_cgroup_relative(reports::BackendKind::oci, "benchrun-r-1");
  ASSERT_TRUE(oci.has_value());
  EXPECT_TRUE(oci->is_relative());
  EXPECT_EQ(oci->begin()->string(), "benchrun-r-1");
  EXPECT_EQ(instance_cgroup_relative(reports::BackendKind::vm, "x"), std::nullopt);
  EXPECT_EQ(instance_cgroup_relative(reports::BackendKind::native, "x"), std::nullopt);
}

}  // namespace
}  // namespace benchrun::harness
