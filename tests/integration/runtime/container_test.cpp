// What an instance sees: its own PID 1, hostname, network, mounts and a writable root that never
// writes through to the image.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "container_fixture.hpp"
#include "sys/clock.hpp"

namespace benchrun::runtime::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(Container, HelloRunsUnderBenchinitAndExitsZero) {
  const auto outcome = run_to_completion(config_for({"/bench/bin/hello"}));
  EXPECT_EQ(outcome.status.exit_code, 0) << outcome.output;
  EXPECT_FALSE(outcome.status.oom_killed);
  EXPECT_THAT(outcome.output, HasSubstr("BENCHRUN READY"));
  EXPECT_THAT(outcome.output, HasSubstr("BENCHRUN RESULT {\"exit_code\":0"));
}

TEST(Container, Pid1IsBenchinitAndHostProcessesAreInvisible) {
  const auto outcome = run_shell("tr '\\0' ' ' < /proc/1/cmdline; echo; echo procs=$(ls /proc | grep -c '^[0-9]')");
  EXPECT_THAT(outcome.output, HasSubstr("/sbin/benchinit /bin/sh -c"));
  // benchinit, sh, the subshell of $(...) and its ls and grep: never the host's hundreds.
  const auto at = outcome.output.rfind("procs=");  // the first is in the echoed cmdline
  ASSERT_NE(at, std::string::npos) << outcome.output;
  EXPECT_LE(std::stoi(outcome.output.substr(at + 6)), 5) << outcome.output;
}

TEST(Container, HostnameIsSetAndOnlyLoopbackExists) {
  auto config = config_for({});
  config.hostname = "benchrun-box";
  const auto outcome = run_shell("hostname; ls /sys/class/net; cat /sys/class/net/lo/operstate", config);
  EXPECT_EQ(outcome.status.exit_code, 0) << outcome.output;
  EXPECT_THAT(outcome.output, HasSubstr("benchrun-box\nlo\n"));
  EXPECT_THAT(outcome.output, Not(HasSubstr("eth")));
}

TEST(Container, WithoutNetworkNamespaceSeesHostInterfaces) {
  auto config = config_for({});
  config.network_namespace = false;
  const auto outcome = run_shell("ls /sys/class/net | wc -l", config);
  std::size_t host_interfaces = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net")) host_interfaces += entry.exists();
  EXPECT_THAT(outcome.output, HasSubstr("\n" + std::to_string(host_interfaces) + "\n")) << outcome.output;
}

TEST(Container, HostMountsAreInvisible) {
  const auto outcome = run_shell("cat /proc/self/mountinfo");
  EXPECT_EQ(outcome.status.exit_code, 0) << outcome.output;
  // Mount points (field 5) are the instance's own; the host's (/sys/fs/cgroup/*, /work, /run...) are gone.
  std::istringstream lines(outcome.output);
  std::vector<std::string> mount_points;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, root, mount_point;
    if (fields >> id >> parent >> device >> root >> mount_point && mount_point.starts_with('/')) {
      mount_points.push_back(mount_point);
    }
  }
  EXPECT_THAT(mount_points, ::testing::Contains("/"));
  EXPECT_THAT(mount_points, ::testing::Contains("/dev/pts"));
  for (const auto& mount_point : mount_points) {
    EXPECT_THAT(mount_point, ::testing::MatchesRegex("/|/(proc|dev|sys|tmp)(/.*)?")) << outcome.output;
  }
}

TEST(Container, WritesLandInTheInstancesOwnLayerNeverInTheImage) {
  // The root is an overlay whose upper layer sits on the instance's own tmpfs; the write is seen there.
  const auto writer = run_to_completion(config_for(
      {"/bin/sh", "-c",
       "echo written > /etc/benchrun-test-file && cat /etc/benchrun-test-file && grep ' / / ' /proc/self/mountinfo"}));
  EXPECT_EQ(writer.status.exit_code, 0) << writer.output;
  EXPECT_THAT(writer.output, ::testing::HasSubstr("written\n"));
  // The tmpfs is mounted over the instance's state dir, in the instance's mount namespace only.
  EXPECT_THAT(
      writer.output,
      ::testing::MatchesRegex("(.|\n)* - overlay overlay [^ ]*upperdir=/run/benchrun/benchrun-[^/ ]*/upper,(.|\n)*"));
  EXPECT_FALSE(std::filesystem::exists(image_rootfs() / "etc/benchrun-test-file")) << "written through to the image";
  // A later instance of the same image starts from the image, not from what another one wrote.
  const auto reader = run_to_completion(config_for({"/bin/sh", "-c", "test ! -e /etc/benchrun-test-file"}));
  EXPECT_EQ(reader.status.exit_code, 0) << "an instance saw another one's write";
}

TEST(Container, PhaseTimesAreOrderedAndOnTheHostClock) {
  auto config = config_for({"/bench/bin/hello"});
  const auto before = sys::monotonic_now();
  auto container = Container::start(config);
  const auto after = sys::monotonic_now();
  const auto& phases = container.phases();
  EXPECT_LE(before, phases.start);
  EXPECT_LE(phases.start, phases.prepared);
  EXPECT_LE(phases.prepared, phases.cloned);
  EXPECT_LE(phases.cloned, phases.cgroup_ready);
  EXPECT_LE(phases.cgroup_ready, phases.mounts_done);
  EXPECT_LE(phases.mounts_done, phases.exec);
  EXPECT_LE(phases.exec, after);
  EXPECT_EQ(container.wait().exit_code, 0);
}

TEST(Container, OnV1HierarchiesTheInitWritesCgroupProcsAndTheRecordSaysSo) {
  if (detect_cgroup_mode() == CgroupMode::v2) GTEST_SKIP() << "a pure cgroup v2 host has no v1 hierarchy";
  auto config = config_for({"/bench/bin/hello"});
  auto container = Container::start(config);
  EXPECT_EQ(container.phases().cgroup_join, CgroupJoin::procs_write)
      << "clone3 names one cgroup; v1 has one per hierarchy";
  EXPECT_EQ(cgroup_join_for(detect_cgroup_mode()), CgroupJoin::procs_write);
  EXPECT_EQ(container.wait().exit_code, 0);
  const auto pid = container.pid();
  container.destroy();
  expect_nothing_left(config.name, pid);
}

TEST(Container, UserNamespaceMapsRootToTheUnprivilegedRange) {
  auto config = config_for({});
  config.user_namespace = true;
  const auto outcome = run_shell(
      "cat /proc/self/uid_map; id -u; echo x > /tmp/x && echo tmp-ok; touch /rootfile && echo root-ok", config);
  EXPECT_EQ(outcome.status.exit_code, 0) << outcome.output;
  EXPECT_THAT(outcome.output, HasSubstr("0     100000      65536"));
  EXPECT_THAT(outcome.output, HasSubstr("\n0\n"));
  EXPECT_THAT(outcome.output, HasSubstr("tmp-ok"));
  EXPECT_THAT(outcome.output, HasSubstr("root-ok"));
}

}  // namespace
}  // namespace benchrun::runtime::testing
