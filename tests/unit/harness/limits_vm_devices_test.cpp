// The vm devices judgement of the limits suite, on hand-made observations: what the host's read of QEMU's
// devices cgroup and its probe must show for each verdict to pass, that each failure is named, and that the
// guest's own devprobe result is reported but never judged.
#include "harness/suites/limits_vm_devices.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>

namespace benchrun::harness {
namespace {

using ::testing::HasSubstr;
namespace key = vm_devices_key;

const LimitCheck& devices_check() {
  static const std::vector<LimitCheck> checks = limit_checks(2);
  const LimitCheck* check = find_limit_check(checks, "devices");
  EXPECT_NE(check, nullptr);
  return *check;
}

// A guest as libvirt confined it on this v1 host: QEMU in the domain's devices cgroup, 10 rules, the probe
// refused kmsg and wrote to null; inside the guest devprobe opened its own kmsg node.
VmObservation confined_guest() {
  VmObservation seen;
  seen.host = {{key::cgroup_found, 1},     {key::cgroup_is_domain, 1},     {key::cgroup_v2, 0},
               {key::list_rules, 10},      {key::list_allows_all, 0},      {key::probe_setup_errno, 0},
               {key::probe_join_errno, 0}, {key::probe_kmsg_errno, EPERM}, {key::probe_null_errno, 0}};
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"node_mount_found", 1}, {"mknod_errno", 0}, {"open_errno", 0}, {"null_errno", 0}};
  return seen;
}

std::map<std::string, reports::Verdict> by_name(const std::vector<reports::Verdict>& verdicts) {
  std::map<std::string, reports::Verdict> named;
  for (const auto& verdict : verdicts) named[verdict.check] = verdict;
  return named;
}

TEST(VmDevices, PassesWhenTheDomainsCgroupDeniesKmsgAndAllowsNull) {
  const auto verdicts = by_name(judge_vm_devices(devices_check(), confined_guest()));
  ASSERT_EQ(verdicts.size(), 3U);
  for (const auto& [name, verdict] : verdicts) EXPECT_TRUE(verdict.pass) << name << ": " << verdict.why;
  EXPECT_THAT(verdicts.at("devices.denied").why, HasSubstr("got EPERM"));
  EXPECT_THAT(verdicts.at("devices.host_view").why, HasSubstr("10 rules"));
  EXPECT_EQ(std::get<std::string>(*verdicts.at("devices.denied").measured), "EPERM");
}

TEST(VmDevices, TheGuestsOwnResultIsReportedNotJudged) {
  // devprobe opened kmsg inside the guest (its kernel has no devices cgroup for it): the verdict still passes
  // on the host's probe, and says what the guest saw.
  const auto verdicts = by_name(judge_vm_devices(devices_check(), confined_guest()));
  const auto& denied = verdicts.at("devices.denied");
  EXPECT_TRUE(denied.pass);
  EXPECT_THAT(denied.why, HasSubstr("inside the guest devprobe's kmsg node: mknod 0, open 0"));
  EXPECT_THAT(denied.why, HasSubstr("reported, not judged"));
}

TEST(VmDevices, FailsWhenTheProbeOpensKmsg) {
  VmObservation seen = confined_guest();
  seen.host[key::probe_kmsg_errno] = 0;
  seen.limit_applied = false;
  const auto verdicts = by_name(judge_vm_devices(devices_check(), seen));
  EXPECT_FALSE(verdicts.at("devices.denied").pass);
  EXPECT_THAT(verdicts.at("devices.denied").why, HasSubstr("opened the kmsg node"));
  EXPECT_THAT(verdicts.at("devices.denied").why, HasSubstr("--limits-off"));
}

TEST(VmDevices, FailsOnAnotherErrnoThanEperm) {
  VmObservation seen = confined_guest();
  seen.host[key::probe_kmsg_errno] = EACCES;
  const auto verdicts = by_name(judge_vm_devices(devices_check(), seen));
  EXPECT_FALSE(verdicts.at("devices.denied").pass);
  EXPECT_THAT(verdicts.at("devices.denied").why, HasSubstr("failed with EACCES, not EPERM"));
}

TEST(VmDevices, FailsWhenNullIsRefused) {
  VmObservation seen = confined_guest();
  seen.host[key::probe_null_errno] = EPERM;
  const auto verdicts = by_name(judge_vm_devices(devices_check(), seen));
  EXPECT_FALSE(verdicts.at("devices.allowed_still_work").pass);
  EXPECT_TRUE(verdicts.at("devices.denied").pass);
  EXPECT_THAT(verdicts.at("devices.allowed_still_work").why, HasSubstr("failed with EPERM"));
}

TEST(VmDevices, FailsWhenQemuIsNotInTheDomainsCgroup) {
  // --limits-off devices: QEMU stays in benchrun's own devices cgroup, which allows everything.
  VmObservation seen = confined_guest();
  seen.host[key::cgroup_is_domain] = 0;
  seen.host[key::list_rules] = 1;
  seen.host[key::list_allows_all] = 1;
  seen.host[key::probe_kmsg_errno] = 0;
  seen.limit_applied = false;
  const auto verdicts = by_name(judge_vm_devices(devices_check(), seen));
  for (const auto& [name, verdict] : verdicts) {
    if (name == "devices.allowed_still_work") continue;  // null opens either way
    EXPECT_FALSE(verdict.pass) << name;
  }
  EXPECT_THAT(verdicts.at("devices.host_view").why, HasSubstr("no devices cgroup libvirt made for the domain"));
  EXPECT_THAT(verdicts.at("devices.host_view").why, HasSubstr("a *:* rwm"));
}

TEST(VmDevices, FailsWhenNothingWasRead) {
  VmObservation seen = confined_guest();
  seen.host.clear();
  const auto verdicts = by_name(judge_vm_devices(devices_check(), seen));
  for (const auto& [name, verdict] : verdicts) {
    EXPECT_FALSE(verdict.pass) << name;
    EXPECT_FALSE(verdict.measured.has_value()) << name;
  }
  EXPECT_THAT(verdicts.at("devices.denied").why, HasSubstr("read nothing of QEMU's devices cgroup"));
}

TEST(VmDevices, FailsWhenTheProbeCouldNotJoin) {
  VmObservation seen = confined_guest();
  seen.host[key::probe_join_errno] = ENOENT;
  seen.host.erase(key::probe_kmsg_errno);
  seen.host.erase(key::probe_null_errno);
  const auto verdicts = by_name(judge_vm_devices(devices_check(), seen));
  EXPECT_FALSE(verdicts.at("devices.denied").pass);
  EXPECT_FALSE(verdicts.at("devices.allowed_still_work").pass);
  EXPECT_THAT(verdicts.at("devices.denied").why, HasSubstr("could not join QEMU's devices cgroup: ENOENT"));
}

TEST(VmDevices, OnV2CountsDevicePrograms) {
  VmObservation seen = confined_guest();
  seen.host.erase(key::list_rules);
  seen.host.erase(key::list_allows_all);
  seen.host[key::cgroup_v2] = 1;
  seen.host[key::programs] = 1;
  auto verdicts = by_name(judge_vm_devices(devices_check(), seen));
  EXPECT_TRUE(verdicts.at("devices.host_view").pass) << verdicts.at("devices.host_view").why;
  EXPECT_THAT(verdicts.at("devices.host_view").why, HasSubstr("1 device program(s)"));
  seen.host[key::programs] = 0;
  verdicts = by_name(judge_vm_devices(devices_check(), seen));
  EXPECT_FALSE(verdicts.at("devices.host_view").pass);
  EXPECT_THAT(verdicts.at("devices.host_view").why, HasSubstr("no device program"));
}

TEST(VmDevices, KnowsLibvirtsDomainCgroups) {
  EXPECT_TRUE(is_libvirt_domain_cgroup("/sys/fs/cgroup/devices/machine/qemu-embed-1a2b-3-benchrun-x-1.libvirt-qemu"));
  EXPECT_TRUE(is_libvirt_domain_cgroup("/sys/fs/cgroup/machine/qemu-embed-1a2b-3-g.libvirt-qemu/libvirt/emulator"));
  EXPECT_TRUE(is_libvirt_domain_cgroup(R"(/sys/fs/cgroup/machine.slice/machine-qemu\x2d1\x2dg.scope)"));
  EXPECT_FALSE(is_libvirt_domain_cgroup("/sys/fs/cgroup/devices"));
  EXPECT_FALSE(is_libvirt_domain_cgroup("/sys/fs/cgroup/devices/user.slice"));
}

TEST(VmDevices, AProbeWithoutItsScratchFolderSaysSo) {
  const DeviceProbeResult probe = probe_devices_cgroup("/sys/fs/cgroup/devices", "/nonexistent/benchrun-scratch");
  EXPECT_EQ(probe.setup_errno, ENOENT);
}

}  // namespace
}  // namespace benchrun::harness
