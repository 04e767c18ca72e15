// cgroup v2 for real on this hybrid host: the unified mount (/sys/fs/cgroup/unified) offers no
// controllers, but creating, joining, reading cpu.stat, cgroup.kill and removal all work there, so the
// v2 lifecycle runs against the kernel even where v1 holds the controllers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/statfs.h>

#include "container_fixture.hpp"
#include "runtime/cgroup/mode.hpp"
#include "runtime/sys/error.hpp"

namespace benchrun::runtime::testing {
namespace {

using ::testing::HasSubstr;

// The cgroup2 mount to run on: /sys/fs/cgroup itself on a v2 host, <root>/unified on a hybrid one.
std::filesystem::path unified_root() {
  const auto mode = detect_cgroup_mode();
  if (mode == CgroupMode::v2) return "/sys/fs/cgroup";
  if (mode != CgroupMode::hybrid) {
    ADD_FAILURE() << "no cgroup2 mount: neither /sys/fs/cgroup nor /sys/fs/cgroup/unified is cgroup2";
  }
  return "/sys/fs/cgroup/unified";
}

TEST(ContainerCgroupV2, InstanceJoinsItsUnifiedCgroupAndIsAccounted) {
  auto config = config_for({});
  config.cgroup_root = unified_root();
  const auto expected_cgroup = config.cgroup_root / kCgroupParentName / config.name;
  // In its own cgroup namespace the instance sees its cgroup as "/".
  config.argv = {"/sbin/benchinit", "/bin/sh", "-c",
                 "cat /proc/self/cgroup; i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"};
  auto output = make_pipe();
  config.stdout_fd = output.write_end.get();
  auto container = Container::start(config);
  output.write_end.reset();
  ASSERT_EQ(container.cgroup_paths(), std::vector<std::filesystem::path>{expected_cgroup});
  EXPECT_TRUE(std::filesystem::exists(expected_cgroup / "cgroup.procs"));
  EXPECT_EQ(container.wait().exit_code, 0);
  const auto stats = container.stats();
  ASSERT_TRUE(stats.cpu_usage_ns) << "cpu.stat usage_usec is there on every v2 cgroup";
  EXPECT_GT(*stats.cpu_usage_ns, 0u);
  std::string text(4096, '\0');
  text.resize(static_cast<std::size_t>(std::max<ssize_t>(0, ::read(output.read_end.get(), text.data(), text.size()))));
  EXPECT_THAT(text, HasSubstr("0::/\n"));
  const auto pid = container.pid();
  container.destroy();
  EXPECT_FALSE(std::filesystem::exists(expected_cgroup));
  expect_nothing_left(config.name, pid);
}

TEST(ContainerCgroupV2, DestroyKillsARunningInstanceThroughCgroupKill) {
  auto config = config_for({"/bin/sh", "-c", "sleep 100 & sleep 100 & sleep 100"});
  config.cgroup_root = unified_root();
  auto container = Container::start(config);
  const auto cgroup = container.cgroup_paths().at(0);
  ASSERT_TRUE(std::filesystem::exists(cgroup / "cgroup.kill")) << "Linux >= 5.14 has cgroup.kill";
  const auto pid = container.pid();
  container.destroy();
  EXPECT_FALSE(std::filesystem::exists(cgroup));
  expect_nothing_left(config.name, pid);
}

TEST(ContainerCgroupV2, ALimitWithoutItsControllerNamesTheFile) {
  const auto root = unified_root();
  const auto controllers = std::filesystem::path(root) / "cgroup.controllers";
  auto config = config_for({"/bench/bin/hello"});
  config.cgroup_root = root;
  config.limits.memory_bytes = 64 << 20;
  bool memory_offered = false;
  try {
    auto container = Container::start(config);
    memory_offered = true;  // a pure v2 host: the limit is simply applied
    EXPECT_EQ(container.wait().exit_code, 0);
  } catch (const Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("cgroup memory: write " + (root / kCgroupParentName / config.name).string() +
                                        "/memory.max: ENOENT"));
  }
  if (memory_offered) SUCCEED() << "memory controller available on " << controllers;
  expect_nothing_left(config.name, -1);
}

}  // namespace
}  // namespace benchrun::runtime::testing
