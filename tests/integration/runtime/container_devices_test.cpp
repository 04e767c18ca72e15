// The devices cgroup: a device node outside the allow list (runtime/cgroup/devices.hpp) cannot be opened, the
// allowed ones still work, and the host sees the restriction (v1 devices.list, v2 an attached device program).
// On this hybrid host the default tests exercise v1's devices controller and the *Unified* one the v2 device
// program on the cgroup2 mount; in integration.runtime_in_cgroup2_guest all of them run on v2.
//
// The node is /dev/kmsg's, 1:11, opened write-only and closed at once, nothing written: kmsg's open for
// writing asks for no permission of its own, so only the devices cgroup can refuse it (EPERM; nodev would be
// EACCES). A read-only open would not do: with kernel.dmesg_restrict it fails with EPERM for want of
// CAP_SYSLOG, cgroup or not, and the test could not tell the two apart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "container_fixture.hpp"
#include "runtime/cgroup/device_bpf.hpp"
#include "runtime/cgroup/devices.hpp"
#include "runtime/cgroup/mode.hpp"
#include "sys/file_io.hpp"

namespace benchrun::runtime::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The root's mount options first: the node is made on a mount that lets device nodes open.
constexpr const char* probe_script =
    "echo root-options=$(awk '$2 == \"/\" {print $4}' /proc/self/mounts); "
    "mknod /benchrun-kmsg c 1 11; echo mknod=$?; "
    "true > /benchrun-kmsg; echo open=$?; "
    "echo x > /dev/null; echo null=$?; head -c 4 /dev/zero | wc -c";

void expect_denied(const Outcome& outcome) {
  EXPECT_THAT(outcome.output, Not(HasSubstr("nodev")))
      << "the root must allow device nodes for the test to mean anything";
  EXPECT_THAT(outcome.output, HasSubstr("mknod=0\n"));  // "c *:* m" allows making any node
  EXPECT_THAT(outcome.output, HasSubstr("Operation not permitted"));
  EXPECT_THAT(outcome.output, HasSubstr("open=1\n"));
  EXPECT_THAT(outcome.output, HasSubstr("null=0\n"));
  EXPECT_THAT(outcome.output, HasSubstr("\n4\n"));
}

// The cgroup2 mount: /sys/fs/cgroup on a v2 host, <root>/unified on a hybrid one (empty if neither).
std::filesystem::path unified_root() {
  const auto mode = detect_cgroup_mode();
  if (mode == CgroupMode::v2) return "/sys/fs/cgroup";
  return mode == CgroupMode::hybrid ? "/sys/fs/cgroup/unified" : "";
}

TEST(ContainerDevices, NodeOutsideTheAllowListCannotBeOpenedWhileDevNullWorks) {
  expect_denied(run_shell(probe_script));
}

TEST(ContainerDevices, WithTheDevicesCgroupOffTheNodeOpens) {
  auto config = config_for({});
  config.devices_cgroup = false;
  const auto outcome = run_shell(probe_script, config);
  EXPECT_THAT(outcome.output, HasSubstr("mknod=0\n"));
  EXPECT_THAT(outcome.output, HasSubstr("open=0\n"));
  EXPECT_THAT(outcome.output, Not(HasSubstr("Operation not permitted")));
  EXPECT_THAT(outcome.output, HasSubstr("null=0\n"));
}

TEST(ContainerDevices, UnifiedDeviceProgramDeniesTheNode) {
  const auto root = unified_root();
  if (root.empty()) GTEST_SKIP() << "no cgroup2 mount on this host";
  auto config = config_for({});
  config.cgroup_root = root;
  expect_denied(run_shell(probe_script, config));
}

// What the host reads from the instance's cgroup while it exists: v1's devices.list holds the allow list and
// not "a *:* rwm"; on v2 one device program is attached to the directory.
TEST(ContainerDevices, TheHostSeesTheRestriction) {
  auto config = config_for({"/bin/true"});
  const auto mode = detect_cgroup_mode(config.cgroup_root);
  auto container = Container::start(config);
  EXPECT_EQ(container.wait().exit_code, 0);
  const auto paths = container.cgroup_paths();
  if (uses_v1_controllers(mode)) {
    const auto devices = std::find_if(paths.begin(), paths.end(), [](const std::filesystem::path& path) {
      return std::filesystem::exists(path / "devices.list");
    });
    ASSERT_NE(devices, paths.end()) << "the instance joined no devices hierarchy";
    const std::string list = sys::read_file(*devices / "devices.list");
    EXPECT_THAT(list, Not(HasSubstr("a *:* rwm")));
    for (const DeviceRule& rule : default_allowed_devices()) EXPECT_THAT(list, HasSubstr(v1_rule_line(rule) + "\n"));
  } else {
    ASSERT_EQ(paths.size(), 1u);
    EXPECT_EQ(attached_device_programs(paths.front()), 1u);
  }
  const auto pid = container.pid();
  container.destroy();
  expect_nothing_left(config.name, pid);
}

TEST(ContainerDevices, UnifiedProgramIsAttachedWhileTheCgroupLivesAndGoesWithIt) {
  const auto root = unified_root();
  if (root.empty()) GTEST_SKIP() << "no cgroup2 mount on this host";
  auto config = config_for({"/bin/true"});
  config.cgroup_root = root;
  auto container = Container::start(config);
  EXPECT_EQ(container.wait().exit_code, 0);
  const auto paths = container.cgroup_paths();
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(attached_device_programs(paths.front()), 1u);
  const auto pid = container.pid();
  container.destroy();
  EXPECT_FALSE(std::filesystem::exists(paths.front()));
  expect_nothing_left(config.name, pid);
}

}  // namespace
}  // namespace benchrun::runtime::testing
