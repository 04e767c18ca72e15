// The devices check on the vm backend end to end, as root, with real QEMU and libvirt (TCG here): the embedded
// driver opened with the devices controller puts QEMU in the domain's devices cgroup; the host reads it and a
// probe process in it is refused kmsg (EPERM) and writes to null; --limits-off devices (the driver without any
// cgroup) fails; the probe and libvirt's cgroups are gone afterwards. And pids on a guest is a warning
// of the run that does not fail it. Also the probe alone, against a v1 devices cgroup this test makes.
#include "harness/suites/limits_vm_devices.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "benchrun_process.hpp"
#include "libvirt_cgroups.hpp"
#include "report_verdicts.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;

class LimitsVmDevices : public LeakCheckedTest {
 protected:
  CommandResult run(const std::vector<std::string>& cases, const std::vector<std::string>& extra) {
    std::vector<std::string> args{"--suite", "limits", "--backends", "vm", "--cases"};
    std::string joined;
    for (const auto& name : cases) joined += (joined.empty() ? "" : ",") + name;
    args.push_back(joined);
    args.insert(args.end(), {"-q", "--out", out_.path().string()});
    args.insert(args.end(), extra.begin(), extra.end());
    const bool devices_machine_was_there = std::filesystem::exists("/sys/fs/cgroup/devices/machine");
    const std::set<std::string> before = libvirt_guest_cgroups();
    CommandResult result = run_benchrun(args);
    EXPECT_EQ(libvirt_guest_cgroups_since(before), "");
    if (!devices_machine_was_there) {
      EXPECT_FALSE(std::filesystem::exists("/sys/fs/cgroup/devices/machine"));
    }
    EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
    return result;
  }

  [[nodiscard]] json report() const { return json::parse(read_text(out_.path() / "report.json")); }

  [[nodiscard]] std::map<std::string, json> verdicts() const { return verdicts_of(report(), "vm"); }

  TempDir out_;
};

const std::vector<std::string> device_verdicts = {"devices.denied", "devices.allowed_still_work", "devices.host_view"};

TEST_F(LimitsVmDevices, LibvirtsDevicesCgroupRefusesKmsgAndAllowsNull) {
  const auto result = run({"devices"}, {});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const auto seen = verdicts();
  for (const auto& name : device_verdicts) {
    ASSERT_TRUE(seen.contains(name)) << name;
    EXPECT_TRUE(seen.at(name).at("pass").get<bool>()) << seen.at(name).dump();
  }
  EXPECT_EQ(seen.at("devices.denied").at("measured"), "EPERM");
  EXPECT_EQ(seen.at("devices.allowed_still_work").at("measured"), "0");
  const std::string why = seen.at("devices.denied").at("why");
  EXPECT_NE(why.find("inside the guest devprobe's kmsg node"), std::string::npos) << why;
  EXPECT_NE(why.find("reported, not judged"), std::string::npos) << why;
  EXPECT_NE(seen.at("devices.host_view").at("why").get<std::string>().find("QEMU is in the domain's"),
            std::string::npos);
}

TEST_F(LimitsVmDevices, WithoutLibvirtsCgroupsItFails) {
  const auto result = run({"devices"}, {"--limits-off", "devices"});
  EXPECT_EQ(result.exit_code, 1) << result.err << result.out;
  const auto seen = verdicts();
  for (const std::string name : {"devices.denied", "devices.host_view"}) {
    ASSERT_TRUE(seen.contains(name)) << name;
    EXPECT_FALSE(seen.at(name).at("pass").get<bool>()) << seen.at(name).dump();
    EXPECT_NE(seen.at(name).at("why").get<std::string>().find("--limits-off"), std::string::npos)
        << seen.at(name).dump();
  }
  EXPECT_NE(seen.at("devices.denied").at("why").get<std::string>().find("opened the kmsg node"), std::string::npos)
      << seen.at("devices.denied").dump();
}

TEST_F(LimitsVmDevices, PidsIsAWarningThatDoesNotFailTheRun) {
  const auto result = run({"pids"}, {});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_NE(result.err.find("vm: pids: not applicable to a guest"), std::string::npos) << result.err;
  const json measured = report();
  const auto& warnings = measured.at("warnings");
  EXPECT_TRUE(std::any_of(warnings.begin(), warnings.end(), [](const json& warning) {
    return warning.get<std::string>().find("no host-side task limit for a domain") != std::string::npos;
  })) << warnings.dump();
  for (const auto& verdict : measured.at("verdicts")) EXPECT_NE(verdict.at("check"), "pids.max");
}

// The probe alone against a v1 devices cgroup made here: deny all, allow c 1:3 rw (as libvirt does for null).
TEST_F(LimitsVmDevices, TheProbeIsRefusedWhatTheCgroupDeniesAndLeavesIt) {
  const std::filesystem::path devices = "/sys/fs/cgroup/devices";
  ASSERT_TRUE(std::filesystem::exists(devices / "devices.list")) << "this host has no v1 devices hierarchy";
  const std::filesystem::path cgroup = devices / fmt::format("benchrun-devprobe-test-{}", ::getpid());
  ASSERT_TRUE(std::filesystem::create_directory(cgroup));
  const TempDir scratch("benchrun-devprobe");  // /tmp: a mount without nodev here
  { std::ofstream(cgroup / "devices.deny") << "a"; }
  { std::ofstream(cgroup / "devices.allow") << "c 1:3 rw"; }
  const harness::DeviceProbeResult confined = harness::probe_devices_cgroup(cgroup, scratch.path());
  // Outside any rule of ours: the cgroup this test runs in.
  const harness::DeviceProbeResult unconfined = harness::probe_devices_cgroup(devices, scratch.path());
  // The probe exited: the cgroup is empty and goes.
  EXPECT_EQ(read_text(cgroup / "cgroup.procs"), "");
  EXPECT_EQ(::rmdir(cgroup.c_str()), 0) << std::strerror(errno);
  EXPECT_EQ(confined.setup_errno, 0);
  EXPECT_EQ(confined.join_errno, 0);
  EXPECT_EQ(confined.kmsg_errno, EPERM);
  EXPECT_EQ(confined.null_errno, 0);
  EXPECT_EQ(unconfined.setup_errno, 0);
  EXPECT_EQ(unconfined.join_errno, 0);
  EXPECT_EQ(unconfined.kmsg_errno, 0);
  EXPECT_EQ(unconfined.null_errno, 0);
  // The nodes went with the probe's private folder.
  EXPECT_TRUE(std::filesystem::is_empty(scratch.path()));
}

}  // namespace
}  // namespace benchrun::testing
