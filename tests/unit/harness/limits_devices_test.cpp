// The devices check's judgement, pure: it passes only when the node outside the allow list was made and its
// open failed with EPERM, /dev/null worked and the host saw the restriction; it fails, saying why, for what
// --limits-off devices produces (the open works, devices.list reads "a *:* rwm" or no program is attached).
#include "harness/suites/limits_devices.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "sys/file_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::harness {
namespace {

using ::testing::HasSubstr;

Observation held() {
  Observation seen;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"node_mount_found", 1}, {"mknod_errno", 0}, {"open_errno", EPERM}, {"null_errno", 0}};
  seen.host.devices_list = "c *:* m\nb *:* m\nc 1:3 rwm\nc 136:* rwm\n";
  return seen;
}

std::map<std::string, reports::Verdict> judged(const Observation& seen) {
  std::map<std::string, reports::Verdict> verdicts;
  for (auto& verdict : judge_devices(devices_limit_check(), seen)) verdicts[verdict.check] = verdict;
  return verdicts;
}

TEST(DevicesCheck, IsInTheSuiteWithItsWorkloadAndASwitchForTheFlip) {
  const auto checks = limit_checks(2);
  const LimitCheck* check = find_limit_check(checks, "devices");
  ASSERT_NE(check, nullptr);
  EXPECT_EQ(check->workload, "devprobe");
  ASSERT_NE(check->turn_off, nullptr);
  InstanceSpec spec;
  check->turn_off(spec);
  EXPECT_FALSE(spec.devices_cgroup);
}

TEST(DevicesCheck, PassesWhenTheOpenIsRefusedWithEpermAndDevNullWorks) {
  const auto verdicts = judged(held());
  ASSERT_EQ(verdicts.size(), 3u);
  for (const auto& [name, verdict] : verdicts) EXPECT_TRUE(verdict.pass) << name << ": " << verdict.why;
  EXPECT_EQ(verdicts.at("devices.denied").measured, reports::VerdictValue(std::string("EPERM")));
  EXPECT_THAT(verdicts.at("devices.host_view").why, HasSubstr("4 rules"));
}

TEST(DevicesCheck, OnV2AnAttachedProgramIsTheHostsView) {
  Observation seen = held();
  seen.host.devices_list.reset();
  seen.host.device_programs = 1;
  EXPECT_TRUE(judged(seen).at("devices.host_view").pass);
  seen.host.device_programs = 0;
  EXPECT_FALSE(judged(seen).at("devices.host_view").pass);
  seen.host.device_programs.reset();
  EXPECT_THAT(judged(seen).at("devices.host_view").why, HasSubstr("no devices cgroup"));
}

TEST(DevicesCheck, FlipsToFailWithoutTheDevicesCgroupSayingWhy) {
  Observation seen = held();
  seen.limit_applied = false;
  seen.workload.metrics["open_errno"] = 0;
  seen.host.devices_list = "a *:* rwm\n";
  const auto verdicts = judged(seen);
  EXPECT_FALSE(verdicts.at("devices.denied").pass);
  EXPECT_THAT(verdicts.at("devices.denied").why, HasSubstr("opened"));
  EXPECT_THAT(verdicts.at("devices.denied").why, HasSubstr("--limits-off"));
  EXPECT_FALSE(verdicts.at("devices.host_view").pass);
  EXPECT_THAT(verdicts.at("devices.host_view").why, HasSubstr("a *:* rwm"));
  EXPECT_TRUE(verdicts.at("devices.allowed_still_work").pass) << "/dev/null works with or without the cgroup";
}

TEST(DevicesCheck, AnotherErrnoOrAFailedMknodIsNotTheCgroupsRefusal) {
  Observation seen = held();
  seen.workload.metrics["open_errno"] = EACCES;  // nodev
  EXPECT_THAT(judged(seen).at("devices.denied").why, HasSubstr("EACCES, not the devices cgroup's EPERM"));
  seen.workload.metrics["mknod_errno"] = EPERM;
  EXPECT_THAT(judged(seen).at("devices.denied").why, HasSubstr("mknod"));
  seen.workload.metrics["node_mount_found"] = 0;
  EXPECT_THAT(judged(seen).at("devices.denied").why, HasSubstr("no writable mount"));
  seen.workload.metrics.clear();
  seen.workload.result_seen = false;
  const auto verdicts = judged(seen);
  EXPECT_THAT(verdicts.at("devices.denied").why, HasSubstr("no RESULT"));
  EXPECT_FALSE(verdicts.at("devices.allowed_still_work").pass);
}

TEST(DevicesCheck, AFailingDevNullFailsTheAllowedVerdict) {
  Observation seen = held();
  seen.workload.metrics["null_errno"] = EPERM;
  EXPECT_FALSE(judged(seen).at("devices.allowed_still_work").pass);
}

TEST(DevicesHostView, ReadsV1DevicesListByPath) {
  const benchrun::testing::TempDir root{"benchrun-devices-view"};
  std::filesystem::create_directories(root.path() / "devices/benchrun/benchrun-x");
  sys::write_file_new(root.path() / "devices/benchrun/benchrun-x/devices.list", "c 1:3 rwm\n");
  HostView view;
  read_devices_host_view(runtime::CgroupMode::v1, root.path(), "benchrun/benchrun-x", view);
  EXPECT_EQ(view.devices_list, "c 1:3 rwm\n");
  EXPECT_FALSE(view.device_programs.has_value());
  HostView absent;
  read_devices_host_view(runtime::CgroupMode::v1, root.path(), "benchrun/benchrun-y", absent);
  EXPECT_FALSE(absent.devices_list.has_value());
}

}  // namespace
}  // namespace benchrun::harness
