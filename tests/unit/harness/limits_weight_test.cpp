// The CPU weight check's judgement, pure: two burners' CPU times on one CPU against their weights, from the
// host's cgroups and from the burners, at the tolerance's edges, and flipped to fail at the default weights
// (what --limits-off runs).
#include "harness/suites/limits_weight.hpp"

#include <gtest/gtest.h>

#include "runtime/cgroup/conversions.hpp"

namespace benchrun::harness {
namespace {

const LimitCheck& weight_check() {
  static const std::vector<LimitCheck> checks = limit_checks(2);
  const LimitCheck* found = find_limit_check(checks, "cpu-weight");
  if (found == nullptr) throw std::runtime_error("no check cpu-weight");
  return *found;
}

// One burner on CPU 1 that used `host_ms` by its cgroup and counted `own_ms` itself, at `weight` as the
// cgroup version spells it.
Observation burner(double host_ms, double own_ms, std::uint64_t weight, bool v1) {
  Observation seen;
  if (v1) {
    seen.host.cpu_shares = runtime::weight_to_shares(weight);
  } else {
    seen.host.cpu_weight = weight;
  }
  seen.host.cpuset_effective.emplace("1");
  seen.host.cpu_usage_ns = static_cast<std::uint64_t>(host_ms * 1e6);
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"burner_cpu_ms", own_ms}, {"burner_wall_ms", 3000.0}, {"burner_late_ms", 0.0}};
  return seen;
}

// The heavier takes `share` of 3000 ms on both sides.
WeightObservation split(double share, bool v1 = false) {
  return WeightObservation{burner(3000 * (1 - share), 3000 * (1 - share), light_cpu_weight, v1),
                           burner(3000 * share, 3000 * share, heavy_cpu_weight, v1), v1, true};
}

reports::Verdict judged(const WeightObservation& seen) {
  const auto verdicts = judge_cpu_weight(weight_check(), seen);
  EXPECT_EQ(verdicts.size(), 1U);
  return verdicts.at(0);
}

TEST(LimitsCpuWeight, IsACaseOnTheLastCpuAtTheHeavierWeight) {
  const LimitCheck& check = weight_check();
  EXPECT_EQ(check.limits.cpuset_cpus, "1");
  EXPECT_EQ(check.limits.cpu_weight, heavy_cpu_weight);
  EXPECT_NE(check.measure, nullptr);
  EXPECT_TRUE(check.observer.empty());
}

TEST(LimitsCpuWeight, ExpectedShareFollowsTheWeightsAsEachVersionSpellsThem) {
  EXPECT_DOUBLE_EQ(expected_heavy_share(false), 0.75);
  // v1: 7840 shares against 2597 (crun's and systemd's weight-to-shares mapping).
  EXPECT_EQ(runtime::weight_to_shares(light_cpu_weight), 2597U);
  EXPECT_EQ(runtime::weight_to_shares(heavy_cpu_weight), 7840U);
  EXPECT_NEAR(expected_heavy_share(true), 7840.0 / 10437.0, 1e-12);
}

TEST(LimitsCpuWeight, ASplitInProportionPassesAndSaysItsError) {
  for (const bool v1 : {false, true}) {
    const reports::Verdict verdict = judged(split(0.752, v1));
    EXPECT_TRUE(verdict.pass) << verdict.why;
    EXPECT_EQ(verdict.check, "cpu.weight");
    EXPECT_NEAR(std::get<double>(*verdict.measured), 0.752, 1e-9);
    EXPECT_EQ(verdict.tolerance, 0.10);
    EXPECT_NE(verdict.why.find("error"), std::string::npos) << verdict.why;
  }
}

// values_close(share, 0.75, 0.10): from 0.7125 / 1.05 = 0.6786 to 0.7875 / 0.95 = 0.8289.
TEST(LimitsCpuWeight, TheToleranceEdgesHoldOnBothSides) {
  EXPECT_TRUE(judged(split(0.828)).pass);
  EXPECT_FALSE(judged(split(0.830)).pass);
  EXPECT_TRUE(judged(split(0.679)).pass);
  EXPECT_FALSE(judged(split(0.678)).pass);
}

TEST(LimitsCpuWeight, AtTheDefaultWeightsTheEqualSplitFails) {
  WeightObservation seen = split(0.5, true);
  seen.limit_applied = false;
  seen.light.host.cpu_shares = 1024;  // v1's default: nothing written
  seen.heavy.host.cpu_shares = 1024;
  const reports::Verdict verdict = judged(seen);
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("--limits-off"), std::string::npos) << verdict.why;
  EXPECT_NE(verdict.why.find("cpu.shares reads 1024, not 7840"), std::string::npos) << verdict.why;
}

// The cgroups' split alone is not enough: the burners' own count is the other side, and must agree.
TEST(LimitsCpuWeight, EitherSideOffFails) {
  WeightObservation own_off = split(0.75);
  own_off.light.workload.metrics["burner_cpu_ms"] = 1500;
  own_off.heavy.workload.metrics["burner_cpu_ms"] = 1500;
  EXPECT_FALSE(judged(own_off).pass);
  WeightObservation host_off = split(0.75);
  host_off.light.host.cpu_usage_ns = 1'500'000'000;
  host_off.heavy.host.cpu_usage_ns = 1'500'000'000;
  EXPECT_FALSE(judged(host_off).pass);
  WeightObservation unread = split(0.75);
  unread.heavy.host.cpu_usage_ns.reset();
  EXPECT_FALSE(judged(unread).pass);
  WeightObservation silent = split(0.75);
  silent.light.workload.metrics.clear();
  silent.light.workload.signal = 9;
  const reports::Verdict verdict = judged(silent);
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("signal 9"), std::string::npos) << verdict.why;
}

TEST(LimitsCpuWeight, AnotherCpuOrBurnsThatDidNotOverlapFail) {
  WeightObservation elsewhere = split(0.75);
  elsewhere.heavy.host.cpuset_effective.emplace("0-1");
  EXPECT_FALSE(judged(elsewhere).pass);
  WeightObservation late = split(0.75);
  late.heavy.workload.metrics["burner_late_ms"] = weight_start_skew_ms + 1;
  const reports::Verdict verdict = judged(late);
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("apart"), std::string::npos) << verdict.why;
  WeightObservation both_late = split(0.75);  // late together: still the same window
  both_late.light.workload.metrics["burner_late_ms"] = 400;
  both_late.heavy.workload.metrics["burner_late_ms"] = 420;
  EXPECT_TRUE(judged(both_late).pass);
}

}  // namespace
}  // namespace benchrun::harness
