// The vm cpu-weight judgement: what two guests at libvirt shares 100 and 300 on one CPU must show for the check to
// pass, that each side alone fails it (the host's vCPU time, the burners' own counts), that the shares must be on
// sibling domain cgroups, and that burns which hardly overlap are not judged as a share.
#include "harness/suites/limits_vm_weight.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/suites/limits_weight.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace key = vm::view_key;

constexpr double cpu1 = 2;  // the mask of host CPU 1

const LimitCheck& weight_check(const std::vector<LimitCheck>& checks) {
  const LimitCheck* check = find_limit_check(checks, "cpu-weight");
  EXPECT_NE(check, nullptr);
  return *check;
}

VmWeightGuest guest(std::uint64_t shares, double window_ms, double alone_ms, double stalled_ms) {
  VmWeightGuest seen;
  seen.shares = shares;
  seen.host = {{key::sched_cpu_shares, static_cast<double>(shares)},
               {key::vcpu_pin_mask, cpu1},
               {key::emulator_pin_mask, cpu1},
               {key::ran_on_mask, cpu1}};
  vm::DomainCpuCgroup cgroup;
  cgroup.dir = "/sys/fs/cgroup/cpu/machine/qemu-embed-3822ccca-" + std::to_string(shares) + "-g.libvirt-qemu";
  cgroup.weight = shares;
  cgroup.vcpu_weight = 1024;
  cgroup.vcpu_threads = {100};
  seen.cgroup = cgroup;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"burner_wall_ms", 8004}, {"burner_stalled_ms", stalled_ms}, {"burner_cpu_ms", 7990}};
  seen.burn_from_ms = 20'000;
  seen.burn_to_ms = 28'004;
  seen.window_cpu_ms = window_ms;
  seen.alone_cpu_ms = alone_ms;
  return seen;
}

// The run recorded in the README: the vCPUs 2213 and 710 ms of the 7195 ms window, the burners 2203 and 582 ms.
VmWeightObservation weighted_pair() {
  VmWeightObservation seen;
  seen.cpuset = "1";
  seen.light = guest(light_cpu_weight, 710, 187, 8004 - 187 - 582);
  seen.heavy = guest(heavy_cpu_weight, 2213, 285, 8004 - 285 - 2203);
  seen.overlap_ms = 7395;
  seen.window_ms = 7195;
  return seen;
}

TEST(CpuSeries, TheTimeBetweenTwoMomentsIsInterpolatedBetweenSamples) {
  const CpuSeries series = {{1'000, 0}, {2'000, 500}, {3'000, 1'500}};
  EXPECT_EQ(cpu_ns_between(series, 1'000, 3'000), 1'500.0);
  EXPECT_EQ(cpu_ns_between(series, 1'500, 2'500), 250.0 + 500.0);
  EXPECT_EQ(cpu_ns_between(series, 2'000, 2'000), 0.0);
  EXPECT_EQ(cpu_ns_between(series, 500, 2'000), std::nullopt);    // before the first sample
  EXPECT_EQ(cpu_ns_between(series, 2'000, 3'500), std::nullopt);  // after the last
  EXPECT_EQ(cpu_ns_between({}, 1, 2), std::nullopt);
}

TEST(VmCpuWeight, PassesWhenTheHostAndTheBurnersShareInProportion) {
  const auto checks = limit_checks(2);
  const auto verdicts = judge_vm_cpu_weight(weight_check(checks), weighted_pair());
  ASSERT_EQ(verdicts.size(), 1U);
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_EQ(verdicts[0].check, "cpu.weight");
  ASSERT_TRUE(verdicts[0].measured.has_value());
  EXPECT_NEAR(std::get<double>(*verdicts[0].measured), 2213.0 / (2213 + 710), 1e-9);
  EXPECT_THAT(verdicts[0].why, HasSubstr("libvirt shares 100 and 300 on sibling domain cgroups"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("the heavier's share 0.757 against 0.750"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("burners ran 2203 and 582 ms"));
}

TEST(VmCpuWeight, EqualSharesFailFromBothSidesSayingWhatLibvirtAndTheCgroupRead) {
  const auto checks = limit_checks(2);
  // --limits-off as it ran here: libvirt's default shares, an even split.
  VmWeightObservation seen = weighted_pair();
  seen.limit_applied = false;
  for (VmWeightGuest* one : {&seen.light, &seen.heavy}) {
    one->host[key::sched_cpu_shares] = 1024;
    one->cgroup->weight = 1024;
  }
  seen.light.window_cpu_ms = 1341;
  seen.heavy.window_cpu_ms = 1329;
  seen.light.workload.metrics["burner_stalled_ms"] = 8004 - 205 - 1280;
  seen.heavy.workload.metrics["burner_stalled_ms"] = 8004 - 202 - 1284;
  const auto verdicts = judge_vm_cpu_weight(weight_check(checks), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("libvirt reads back the lighter guest's cpu_shares as 1024, not 100"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("the heavier guest's domain cgroup cpu.shares reads 1024, not 300"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("the heavier's share 0.498 against 0.750"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("by their own counts"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("--limits-off"));
}

TEST(VmCpuWeight, TheHostSideAloneFailsIt) {
  const auto checks = limit_checks(2);
  VmWeightObservation seen = weighted_pair();
  seen.light.window_cpu_ms = 1400;  // an even split on the host, the burners still at 3:1
  const auto verdicts = judge_vm_cpu_weight(weight_check(checks), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("the vCPU threads ran 2213 ms (heavier) and 1400 ms (lighter)"));
  EXPECT_THAT(verdicts[0].why, Not(HasSubstr("by their own counts")));
}

TEST(VmCpuWeight, TheBurnersCountsAloneFailIt) {
  const auto checks = limit_checks(2);
  VmWeightObservation seen = weighted_pair();
  seen.light.workload.metrics["burner_stalled_ms"] = 8004 - 187 - 2203;  // the lighter ran as much as the heavier
  const auto verdicts = judge_vm_cpu_weight(weight_check(checks), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("burners ran 2203 and 2203 ms by their own counts"));
  EXPECT_THAT(verdicts[0].why, Not(HasSubstr("the vCPU threads ran")));
}

TEST(VmCpuWeight, SharesOnlyOnTheVcpuCgroupOrOnCgroupsThatAreNotSiblingsDivideNothing) {
  const auto checks = limit_checks(2);
  VmWeightObservation vcpu_level = weighted_pair();
  vcpu_level.heavy.cgroup->weight = 1024;
  vcpu_level.heavy.cgroup->vcpu_weight = 300;
  auto verdicts = judge_vm_cpu_weight(weight_check(checks), vcpu_level);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("domain cgroup cpu.shares reads 1024, not 300 (its vcpu0's: 300)"));

  VmWeightObservation apart = weighted_pair();
  apart.heavy.cgroup->dir = "/sys/fs/cgroup/cpu/other/qemu-embed-3822ccca-300-g.libvirt-qemu";
  verdicts = judge_vm_cpu_weight(weight_check(checks), apart);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("are not siblings"));

  VmWeightObservation unfound = weighted_pair();
  unfound.light.cgroup.reset();
  verdicts = judge_vm_cpu_weight(weight_check(checks), unfound);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("no cgroup of the lighter guest was found"));
}

TEST(VmCpuWeight, GuestsNotPinnedToTheOneCpuFailIt) {
  const auto checks = limit_checks(2);
  VmWeightObservation seen = weighted_pair();
  seen.light.host[key::vcpu_pin_mask] = 3;
  seen.light.host[key::ran_on_mask] = 3;
  const auto verdicts = judge_vm_cpu_weight(weight_check(checks), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("libvirt pins the lighter guest's vCPU to 0-1 and QEMU to 1, not CPU 1"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("the lighter guest's QEMU ran on CPUs 0-1"));
}

TEST(VmCpuWeight, BurnsThatHardlyOverlapOrWereNotPlacedAreNotJudgedAsAShare) {
  const auto checks = limit_checks(2);
  VmWeightObservation short_overlap = weighted_pair();
  short_overlap.overlap_ms = 1200;
  short_overlap.window_ms = 1000;
  auto verdicts = judge_vm_cpu_weight(weight_check(checks), short_overlap);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_FALSE(verdicts[0].measured.has_value());
  EXPECT_THAT(verdicts[0].why, HasSubstr("the burns overlapped 1200 ms"));

  VmWeightObservation unplaced = weighted_pair();
  unplaced.overlap_ms.reset();
  unplaced.window_ms.reset();
  unplaced.heavy.workload.metrics.clear();
  unplaced.heavy.workload.exit_code = 1;
  verdicts = judge_vm_cpu_weight(weight_check(checks), unplaced);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("the burns were not placed on the host's clock"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("the burners reported no wall and stall times"));
}

}  // namespace
}  // namespace benchrun::harness
