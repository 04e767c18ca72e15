// Nothing of an instance survives: after a timeout, a kill, a destructor, or a killed run (the sweep).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>

#include "container_fixture.hpp"
#include "runtime/sweep.hpp"
#include "sys/file_io.hpp"

namespace benchrun::runtime::testing {
namespace {

TEST(ContainerTeardown, WaitForTimesOutThenDestroyKillsEverything) {
  auto config = config_for({"/bench/bin/forker", "5"});
  config.argv = {"/sbin/benchinit", "/bin/sh", "-c", "sleep 100 & sleep 100 & sleep 100"};
  auto container = Container::start(config);
  const auto pid = container.pid();
  EXPECT_FALSE(container.wait_for(std::chrono::milliseconds(100)).has_value());
  container.destroy();
  container.destroy();  // idempotent
  expect_nothing_left(config.name, pid);
}

TEST(ContainerTeardown, DestroyRemovesNestedCgroupsToo) {
  auto config = config_for({"/bench/bin/spin", "10000"});
  auto container = Container::start(config);
  const auto pid = container.pid();
  for (const auto& path : container.cgroup_paths()) {
    ASSERT_TRUE(std::filesystem::create_directories(path / "nested" / "deeper")) << path;
  }
  container.destroy();
  expect_nothing_left(config.name, pid);
}

TEST(ContainerTeardown, KillReportsTheSignal) {
  auto config = config_for({"/bench/bin/spin", "10000"});
  auto container = Container::start(config);
  container.kill(SIGKILL);
  const auto status = container.wait();
  EXPECT_EQ(status.signal, SIGKILL);
  EXPECT_EQ(status.shell_code(), 128 + SIGKILL);
  EXPECT_FALSE(status.oom_killed);
}

TEST(ContainerTeardown, DestructorRemovesARunningInstance) {
  auto config = config_for({"/bench/bin/spin", "10000"});
  pid_t pid = -1;
  {
    auto container = Container::start(config);
    pid = container.pid();
    auto moved = std::move(container);  // ownership moves; only `moved` tears down
    EXPECT_EQ(moved.pid(), pid);
  }
  expect_nothing_left(config.name, pid);
}

TEST(ContainerTeardown, SweepRemovesTheLeftoversOfADeadRun) {
  auto config = config_for({"/bench/bin/spin", "10000"});
  auto container = Container::start(config);
  const auto pid = container.pid();
  // Pretend the instance belongs to a benchrun process that died: a reaped child's pid.
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  sys::write_file(container.state_dir() / "owner", std::to_string(dead));
  // Only this test's instances: other benchrun processes on the machine are none of its business.
  const auto swept = sweep_leftovers(default_state_root, "/sys/fs/cgroup", config.name);
  EXPECT_GE(swept.cgroups_removed, 1);
  EXPECT_EQ(swept.state_dirs_removed, 1);
  EXPECT_EQ(container.wait().signal, SIGKILL);
  container.destroy();  // finds nothing left to do, and says nothing
  expect_nothing_left(config.name, pid);
}

TEST(ContainerTeardown, SweepLeavesInstancesOfLiveRunsAlone) {
  auto config = config_for({"/bench/bin/spin", "10000"});
  auto container = Container::start(config);
  const auto swept = sweep_leftovers(default_state_root, "/sys/fs/cgroup", config.name);
  EXPECT_EQ(swept.state_dirs_removed, 0);
  EXPECT_FALSE(container.wait_for(std::chrono::milliseconds(0)).has_value()) << "the sweep killed a live instance";
  EXPECT_TRUE(std::filesystem::exists(container.state_dir()));
}

}  // namespace
}  // namespace benchrun::runtime::testing
