// The vm judgements of the limits suite: what a guest's host side and workload side must show for each check
// to pass, and that each side alone fails it, with the reason named.
#include "harness/suites/limits_vm.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

using ::testing::HasSubstr;
namespace key = vm::view_key;

const LimitCheck& check_named(const std::vector<LimitCheck>& checks, std::string_view name) {
  const LimitCheck* check = find_limit_check(checks, name);
  EXPECT_NE(check, nullptr) << name;
  return *check;
}

// A quarter-CPU guest as it ran here: 138 periods, throttled in 135, the vCPU 3438 ms; the burner 727 of 3000 ms.
VmObservation throttled_guest() {
  VmObservation seen;
  seen.host = {{key::sched_vcpu_quota_us, 25'000}, {key::cgroup_quota_us, 25'000}, {key::nr_periods, 138},
               {key::nr_throttled, 135},           {key::vcpu_cpu_ns, 3.438e9},    {key::vcpu_alive_ns, 13.7e9}};
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"burner_wall_ms", 3000},
                           {"burner_stalled_ms", 2273},
                           {"burner_peak_ran_ms_per_s", 260},
                           {"burner_cpu_ms", 2996}};
  return seen;
}

TEST(VmCpuQuota, PassesWhenBothSidesStayWithinTheQuota) {
  const auto checks = limit_checks(2);
  const auto verdicts = judge_vm_cpu_quota(check_named(checks, "cpu-quota"), throttled_guest());
  ASSERT_EQ(verdicts.size(), 1U);
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_EQ(verdicts[0].check, "cpu.quota");
  EXPECT_THAT(verdicts[0].why, HasSubstr("vCPU quota 25000 us per 100000 us"));
}

TEST(VmCpuQuota, ABusySecondFailsItEvenWhenTheHostSideHolds) {
  const auto checks = limit_checks(2);
  VmObservation seen = throttled_guest();
  seen.workload.metrics["burner_peak_ran_ms_per_s"] = 469;
  const auto verdicts = judge_vm_cpu_quota(check_named(checks, "cpu-quota"), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("the burner ran 469 ms in its busiest 1000 ms"));
}

TEST(VmCpuQuota, NoQuotaReadBackOrThrottlingFailsIt) {
  const auto checks = limit_checks(2);
  VmObservation seen = throttled_guest();
  seen.limit_applied = false;
  seen.host = {{key::nr_periods, 0}, {key::nr_throttled, 0}, {key::vcpu_cpu_ns, 3.3e9}};
  const auto verdicts = judge_vm_cpu_quota(check_named(checks, "cpu-quota"), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("libvirt reads back no vCPU quota"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("no throttled period"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("--limits-off"));
}

VmObservation pinned_guest(double host_mask) {
  VmObservation seen;
  seen.host = {{key::vcpu_pin_mask, host_mask}, {key::emulator_pin_mask, host_mask},
               {key::allowed_mask, host_mask},  {key::allowed_uniform, 1},
               {key::ran_on_mask, 2},           {key::polls, 400}};
  seen.workload.result_seen = true;
  seen.workload.metrics = {{"affinity_mask", 1}, {"cpus_seen_mask", 1}};
  return seen;
}

TEST(VmCpuset, PassesWhenEveryQemuThreadIsPinnedAndRanThere) {
  const auto checks = limit_checks(2);  // the cpuset check takes the last CPU: 1
  const auto verdicts = judge_vm_cpuset(check_named(checks, "cpuset"), pinned_guest(2));
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
}

TEST(VmCpuset, UnpinnedThreadsFailIt) {
  const auto checks = limit_checks(2);
  const auto verdicts = judge_vm_cpuset(check_named(checks, "cpuset"), pinned_guest(3));
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("libvirt pins the vCPUs to 0-1"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("QEMU's threads may run on CPUs 0-1"));
}

TEST(VmCpuset, AThreadSeenElsewhereFailsIt) {
  const auto checks = limit_checks(2);
  VmObservation seen = pinned_guest(2);
  seen.host[key::ran_on_mask] = 3;
  EXPECT_THAT(judge_vm_cpuset(check_named(checks, "cpuset"), seen)[0].why, HasSubstr("QEMU's threads ran on CPUs 0-1"));
}

TEST(VmMemory, TheGuestsOomKillAndQemusPeakWithinRamPlusItsOwn) {
  const auto checks = limit_checks(2);
  VmObservation seen;
  seen.host = {{key::guest_memory_bytes, 256.0 * (1 << 20)}, {key::qemu_hwm_bytes, 366.0 * (1 << 20)}};
  seen.workload.result_seen = true;
  seen.workload.metrics = {{"hog_signal", 9}, {"hog_exit_code", -1}};
  const VmGuestMemory guest = vm_guest_memory(0);
  auto verdicts = judge_vm_memory(check_named(checks, "memory"), guest, seen);
  ASSERT_EQ(verdicts.size(), 2U);
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_TRUE(verdicts[1].pass) << verdicts[1].why;
  seen.host[key::qemu_hwm_bytes] = 744.0 * (1 << 20);
  seen.workload.metrics["hog_signal"] = 0;
  verdicts = judge_vm_memory(check_named(checks, "memory"), guest, seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_FALSE(verdicts[1].pass);
  EXPECT_THAT(verdicts[1].why, HasSubstr("QEMU's peak RSS 744 MiB"));
}

TEST(VmMemory, AnImageThatNeedsMoreRamGetsItAndQemusCopyOfItsInitramfsIsAllowedFor) {
  // Image "guest": a 138 MiB initramfs boots in 542 MiB (guest_memory_floor_mib); QEMU keeps a copy of it.
  const VmGuestMemory guest = vm_guest_memory(138ULL << 20);
  EXPECT_EQ(guest.ram_mib, 542U);
  EXPECT_EQ(guest.hog_mib(), 1084U);
  EXPECT_EQ(guest.qemu_ceiling_mib(), 542U + 138U + vm_qemu_overhead_mib);
  EXPECT_EQ(vm_guest_memory(0).ram_mib, vm_memory_limit_mib) << "the default image's guest keeps 256 MiB";
  const auto checks = limit_checks(2);
  VmObservation seen;
  seen.host = {{key::guest_memory_bytes, 542.0 * (1 << 20)}, {key::qemu_hwm_bytes, 790.0 * (1 << 20)}};
  seen.workload.result_seen = true;
  seen.workload.metrics = {{"hog_signal", 9}};
  auto verdicts = judge_vm_memory(check_named(checks, "memory"), guest, seen);
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_TRUE(verdicts[1].pass) << verdicts[1].why;
  seen.host[key::guest_memory_bytes] = 256.0 * (1 << 20);
  verdicts = judge_vm_memory(check_named(checks, "memory"), guest, seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("libvirt reads the guest's RAM as 256 MiB"));
}

TEST(VmPids, TheRunsWarningSaysWhyAGuestHasNoSuchLimit) {
  EXPECT_THAT(vm_pids_not_applicable(), HasSubstr("not applicable to a guest"));
  EXPECT_THAT(vm_pids_not_applicable(), HasSubstr("no host-side task limit"));
}

}  // namespace
}  // namespace benchrun::harness
