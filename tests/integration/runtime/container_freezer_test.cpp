// The cgroup freeze primitive on the real kernel, through Container::freeze / thaw: while frozen the instance
// gets no CPU and its own clock sees the pause as one gap; thawed, it finishes with its memory intact; a frozen
// instance is still torn down completely. On this host that is the v1 freezer; integration.runtime_in_cgroup2_guest
// runs the same tests in a cgroup2 guest, where it is cgroup.freeze.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <thread>

#include "container_fixture.hpp"
#include "runtime/cgroup/cgroup_dir.hpp"
#include "runtime/cgroup/freezer.hpp"
#include "sys/error.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::runtime::testing {
namespace {

using ::testing::HasSubstr;

constexpr sys::MonotonicNs second_ns = 1'000'000'000;

// Whether the kernel reports the container's cgroup frozen, read where this host keeps the state.
std::optional<bool> kernel_says_frozen(const Container& container) {
  for (const auto& path : container.cgroup_paths()) {
    if (detect_cgroup_mode() == CgroupMode::v2) return cgroup_frozen_v2(path);
    if (path.parent_path().parent_path().filename() == "freezer") return cgroup_frozen_v1(path);
  }
  return std::nullopt;
}

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  for (ssize_t got = 0; (got = ::read(fd, buffer, sizeof(buffer))) > 0;) text.append(buffer, std::size_t(got));
  return text;
}

TEST(ContainerFreezer, AFrozenInstanceGetsNoCpuAndResumesIntact) {
  auto config = config_for({"/bench/bin/ticker", "3000"});
  config.freezable = true;
  auto output = sys::make_pipe();
  config.stdout_fd = output.write_end.get();
  config.stderr_fd = output.write_end.get();
  pid_t pid = -1;
  sys::MonotonicNs frozen_for_ns = 0;
  {
    auto container = Container::start(config);
    pid = container.pid();
    output.write_end.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    container.freeze(sys::monotonic_now() + 30 * second_ns);
    const sys::MonotonicNs frozen_at = sys::monotonic_now();
    EXPECT_EQ(kernel_says_frozen(container), true);
    const auto usage_at_freeze = container.stats().cpu_usage_ns;
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    const auto usage_before_thaw = container.stats().cpu_usage_ns;
    EXPECT_EQ(kernel_says_frozen(container), true);
    frozen_for_ns = sys::monotonic_now() - frozen_at;
    container.thaw(sys::monotonic_now() + 30 * second_ns);
    EXPECT_EQ(kernel_says_frozen(container), false);
    ASSERT_TRUE(usage_at_freeze && usage_before_thaw);
    EXPECT_EQ(*usage_before_thaw, *usage_at_freeze) << "a frozen cgroup used CPU";

    const auto status = container.wait_for(std::chrono::seconds(60));
    ASSERT_TRUE(status.has_value()) << "the ticker did not finish after the thaw";
    EXPECT_EQ(status->exit_code, 0);
    container.destroy();
  }
  const std::string text = read_all(output.read_end.get());
  EXPECT_THAT(text, HasSubstr("checksum right"));
  std::smatch gap;
  ASSERT_TRUE(std::regex_search(text, gap, std::regex("largest gap ([0-9.]+) ms"))) << text;
  // The gap holds the whole frozen time: the last chunk before it ended before the freeze took hold.
  EXPECT_GE(std::stod(gap[1]), static_cast<double>(frozen_for_ns) / 1e6) << text;
  expect_nothing_left(config.name, pid);
}

TEST(ContainerFreezer, AFrozenInstanceIsTornDownWithoutAThaw) {
  auto config = config_for({"/bin/sh", "-c", "sleep 1000 & sleep 1000"});
  config.freezable = true;
  pid_t pid = -1;
  {
    auto container = Container::start(config);
    pid = container.pid();
    container.freeze(sys::monotonic_now() + 30 * second_ns);
    EXPECT_EQ(kernel_says_frozen(container), true);
    container.destroy();
  }
  expect_nothing_left(config.name, pid);
}

// What the sweep does to a frozen leftover of a killed run: each hierarchy's directory in the sweep's order
// (cgroup_parent_dirs: the freezer first), killed and removed, though nobody thawed it.
TEST(ContainerFreezer, AFrozenLeftoverIsRemovedByTheSweepsKill) {
  auto config = config_for({"/bin/sh", "-c", "sleep 1000 & sleep 1000"});
  config.freezable = true;
  auto container = Container::start(config);
  const pid_t pid = container.pid();
  container.freeze(sys::monotonic_now() + 30 * second_ns);
  for (const auto& hierarchy : cgroup_parent_dirs(detect_cgroup_mode(), "/sys/fs/cgroup")) {
    const auto dir = hierarchy / cgroup_parent_name / config.name;
    if (std::filesystem::exists(dir)) kill_and_remove_cgroup_dir(dir);
  }
  const auto status = container.wait_for(std::chrono::seconds(30));
  ASSERT_TRUE(status.has_value()) << "the frozen init survived the sweep's kill";
  EXPECT_EQ(status->signal, SIGKILL);
  container.destroy();
  expect_nothing_left(config.name, pid);
}

TEST(ContainerFreezer, OnV1OnlyAFreezableInstanceCanBeFrozen) {
  auto config = config_for({"/bin/sh", "-c", "sleep 1000"});
  auto container = Container::start(config);
  if (uses_v1_controllers(detect_cgroup_mode())) {
    try {
      container.freeze(sys::monotonic_now() + 30 * second_ns);
      ADD_FAILURE() << "froze an instance made without the freezer hierarchy";
    } catch (const sys::Error& error) {
      EXPECT_THAT(error.what(), HasSubstr("freezable"));
    }
  } else {
    container.freeze(sys::monotonic_now() + 30 * second_ns);  // cgroup.freeze is in every v2 cgroup
    EXPECT_EQ(kernel_says_frozen(container), true);
  }
  const pid_t pid = container.pid();
  container.destroy();
  expect_nothing_left(config.name, pid);
}

}  // namespace
}  // namespace benchrun::runtime::testing
