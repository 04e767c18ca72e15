// The stress-ng observer's judgement, pure: stress-ng's --yaml report parsed as the console gives it, and
// its CPU figure against the quota, our burner and the host's cgroup, at the tolerance's edges; flipped to
// fail without the quota (what --limits-off runs).
#include "harness/suites/limits_observer.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace benchrun::harness {
namespace {

// stress-ng 0.15's --yaml report, as `cat` prints it (system-info shortened).
std::vector<std::string> report_lines(double wall_s, double user_s, double system_s) {
  return {"---",
          "system-info:",
          "      stress-ng-version: 0.15.06",
          "      cpus: 2",
          "",
          "metrics:",
          "    - stressor: cpu",
          "      bogo-ops: 233",
          "      bogo-ops-per-second-usr-sys-time: 1469.391874",
          fmt::format("      wall-clock-time: {}", wall_s),
          fmt::format("      user-time: {}", user_s),
          fmt::format("      system-time: {}", system_s),
          "      cpu-usage-per-instance: 7.894828",
          "      max-rss: 6500",
          "",
          "..."};
}

const LimitCheck& observer_check() {
  static const std::vector<LimitCheck> checks = limit_checks(2);
  const LimitCheck* found = find_limit_check(checks, "cpu-quota-stress-ng");
  if (found == nullptr) throw std::runtime_error("no check cpu-quota-stress-ng");
  return *found;
}

// Under 0.25 CPU: our burner used `burner_ms` in 3000 ms, stress-ng `stress_ms` in 3000 ms, the cgroup
// `host_ms` for both.
Observation observed(double burner_ms, double stress_ms, double host_ms) {
  Observation seen;
  seen.host.cpu_quota_us = 25'000;
  seen.host.cpu_period_us = 100'000;
  seen.host.cpu_usage_ns = static_cast<std::uint64_t>(host_ms * 1e6);
  seen.host.nr_periods = 60;
  seen.host.nr_throttled = 58;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"burner_cpu_ms", burner_ms}, {"burner_wall_ms", 3000.0}};
  seen.workload.output = report_lines(3.0, stress_ms / 1000 - 0.002, 0.002);
  return seen;
}

reports::Verdict judged(const Observation& seen) {
  const auto verdicts = judge_cpu_quota_stress_ng(observer_check(), seen);
  EXPECT_EQ(verdicts.size(), 1U);
  return verdicts.at(0);
}

TEST(LimitsStressNg, ParsesTheCpuStressorsFigures) {
  const auto parsed = parse_stress_ng_yaml(report_lines(2.008518, 0.154728, 0.003841), "cpu");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->stressor, "cpu");
  EXPECT_DOUBLE_EQ(parsed->wall_s, 2.008518);
  EXPECT_DOUBLE_EQ(parsed->user_s, 0.154728);
  EXPECT_DOUBLE_EQ(parsed->system_s, 0.003841);
}

TEST(LimitsStressNg, AMissingStressorOrFigureIsNoReport) {
  EXPECT_FALSE(parse_stress_ng_yaml(report_lines(3, 1, 0), "vm"));
  auto lines = report_lines(3, 1, 0);
  std::erase_if(lines, [](const std::string& line) { return line.find("user-time") != std::string::npos; });
  EXPECT_FALSE(parse_stress_ng_yaml(lines, "cpu"));
  EXPECT_FALSE(parse_stress_ng_yaml({"stress-ng: info: [1] dispatching hogs: 1 cpu"}, "cpu"));
  EXPECT_FALSE(parse_stress_ng_yaml(report_lines(0, 1, 0), "cpu"));  // no wall time: no share
  // Figures of a stressor listed before the cpu one are not taken for it.
  std::vector<std::string> two = {"metrics:", "    - stressor: vm", "      wall-clock-time: 9", "      user-time: 9",
                                  "      system-time: 9"};
  const auto cpu = report_lines(3, 0.75, 0);
  two.insert(two.end(), cpu.begin() + 6, cpu.end());
  const auto parsed = parse_stress_ng_yaml(two, "cpu");
  ASSERT_TRUE(parsed);
  EXPECT_DOUBLE_EQ(parsed->user_s, 0.75);
}

TEST(LimitsStressNg, IsAnObserverCaseUnderTheCpuQuota) {
  const LimitCheck& check = observer_check();
  EXPECT_EQ(check.observer, "stress-ng");
  EXPECT_EQ(check.limits.cpus, 0.25);
  EXPECT_EQ(check.workload, "/bin/sh");
  EXPECT_NE(check.workload_args.at(1).find("stress-ng --cpu 1"), std::string::npos);
}

TEST(LimitsStressNg, AllThreeAgreeAtTheQuotaAndItSaysWhatItCompared) {
  const reports::Verdict verdict = judged(observed(749, 752, 1510));
  EXPECT_TRUE(verdict.pass) << verdict.why;
  EXPECT_EQ(verdict.check, "cpu.quota.stress-ng");
  EXPECT_NEAR(std::get<double>(*verdict.measured), 752.0 / 3000.0, 1e-9);
  for (const char* said : {"stress-ng (its --metrics usr+sys over wall)", "our burner", "the cgroup"})
    EXPECT_NE(verdict.why.find(said), std::string::npos) << verdict.why;
}

// 750 ms allowed; over it by more than values_close's 10 %: 750 * 1.05 / 0.95 = 828.9 ms.
TEST(LimitsStressNg, StressNgOverTheQuotaFailsAtTheToleranceEdge) {
  EXPECT_TRUE(judged(observed(800, 828, 1628)).pass);
  const reports::Verdict verdict = judged(observed(830, 830, 1660));
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("over the quota"), std::string::npos) << verdict.why;
}

// 750 ms allowed: reached from 750 * 0.95 / 1.05 = 678.6 ms.
TEST(LimitsStressNg, ObserversThatBothReachedTheQuotaMustAgree) {
  EXPECT_TRUE(judged(observed(680, 740, 1420)).pass);   // 0.227 against 0.247: 8 % apart
  EXPECT_FALSE(judged(observed(680, 800, 1480)).pass);  // 0.227 against 0.267: 16 % apart
  EXPECT_NE(judged(observed(680, 800, 1480)).why.find("disagree"), std::string::npos);
}

// On a loaded host one may get less than the quota: what it measured is the host, said so, not compared.
TEST(LimitsStressNg, OneHeldBelowTheQuotaByTheHostIsNotComparedAndSaysSo) {
  const reports::Verdict verdict = judged(observed(500, 740, 1240));
  EXPECT_TRUE(verdict.pass) << verdict.why;
  EXPECT_NE(verdict.why.find("not compared: the host's load held our burner below the quota"), std::string::npos)
      << verdict.why;
  EXPECT_NE(judged(observed(500, 600, 1100)).why.find("held both below"), std::string::npos);
}

TEST(LimitsStressNg, TheHostMustAgreeWithWhatBothCounted) {
  // The host saw far more than both counted: 1650 against 1500.
  const reports::Verdict verdict = judged(observed(750, 750, 1700));
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("the cgroup"), std::string::npos) << verdict.why;
}

TEST(LimitsStressNg, WithoutTheQuotaStressNgTakesAWholeCpuAndFails) {
  Observation seen = observed(2990, 2995, 5990);
  seen.limit_applied = false;
  seen.host.cpu_quota_us.reset();
  seen.host.nr_throttled = 0;
  const reports::Verdict verdict = judged(seen);
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("--limits-off"), std::string::npos) << verdict.why;
  EXPECT_NE(verdict.why.find("over the quota"), std::string::npos) << verdict.why;
}

TEST(LimitsStressNg, NoReportFailsWithHowItEnded) {
  Observation seen = observed(750, 750, 1500);
  seen.workload.output = {"stress-ng: error: [7] cannot run"};
  seen.workload.exit_code = 1;
  const reports::Verdict verdict = judged(seen);
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("exited 1"), std::string::npos) << verdict.why;
}

}  // namespace
}  // namespace benchrun::harness
