// cgroup v2 for real on this hybrid host: the unified mount (/sys/fs/cgroup/unified) offers no
// controllers, but creating, joining, reading cpu.stat, cgroup.kill and removal all work there, so the
// v2 lifecycle runs against the kernel even where v1 holds the controllers.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sanitizer/asan_interface.h>
#include <sched.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include <array>
#include <csignal>
#include <cstddef>
#include <cstdint>

#include "container_fixture.hpp"
#include "runtime/cgroup/mode.hpp"
#include "sys/clone3_on_stack.hpp"
#include "sys/error.hpp"

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
  const auto expected_cgroup = config.cgroup_root / cgroup_parent_name / config.name;
  // In its own cgroup namespace the instance sees its cgroup as "/".
  config.argv = {"/sbin/benchinit", "/bin/sh", "-c",
                 "cat /proc/self/cgroup; i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"};
  auto output = sys::make_pipe();
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

// What a child saw at its first instruction, written into the parent's memory (CLONE_VM).
struct FirstLook {
  std::array<char, 4096> proc_self_cgroup{};
};

int read_own_cgroup(void* arg) {
  auto& look = *static_cast<FirstLook*>(arg);
  const int fd = ::open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 1;
  const auto got = ::read(fd, look.proc_self_cgroup.data(), look.proc_self_cgroup.size() - 1);
  ::close(fd);
  return got > 0 ? 0 : 2;
}

TEST(ContainerCgroupV2, AChildClonedIntoTheCgroupIsThereFromItsFirstInstruction) {
  if (!sys::have_clone3_on_stack) GTEST_SKIP() << "no clone3 trampoline on this architecture";
  const auto root = unified_root();
  const std::string name = config_for({}).name;
  auto cgroup = create_cgroup(CgroupMode::v2, root, name);
  const auto dir = cgroup->open_dir_for_clone();
  ASSERT_TRUE(dir.has_value());
  alignas(16) std::array<std::byte, 64 * 1024> stack;
  FirstLook look;
  clone_args args{};
  args.flags = CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<std::uintptr_t>(stack.data());
  args.stack_size = stack.size();
  args.cgroup = static_cast<std::uint64_t>(dir->get());
  const pid_t pid = sys::clone3_on_stack(args, read_own_cgroup, &look);
  ASAN_UNPOISON_MEMORY_REGION(stack.data(), stack.size());
  ASSERT_GT(pid, 0) << "clone3 CLONE_INTO_CGROUP: " << sys::describe_errno(errno);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  // The child read its cgroup before doing anything else, and nothing ever wrote cgroup.procs.
  EXPECT_THAT(std::string(look.proc_self_cgroup.data()),
              HasSubstr("0::/" + std::string(cgroup_parent_name) + "/" + name + "\n"));
  cgroup->destroy();
  EXPECT_FALSE(std::filesystem::exists(root / cgroup_parent_name / name));
  expect_nothing_left(name, pid);
}

TEST(ContainerCgroupV2, TheInitIsClonedIntoItsCgroupAndTheRecordSaysSo) {
  if (!sys::have_clone3_on_stack) GTEST_SKIP() << "no clone3 trampoline on this architecture";
  auto config = config_for({"/bin/sh", "-c", "cat /proc/self/cgroup"});
  config.cgroup_root = unified_root();
  ASSERT_EQ(cgroup_join_for(CgroupMode::v2), CgroupJoin::clone_into_cgroup) << "Linux 5.7+ takes CLONE_INTO_CGROUP";
  const Outcome outcome = run_to_completion(config);
  EXPECT_EQ(outcome.phases.cgroup_join, CgroupJoin::clone_into_cgroup);
  EXPECT_EQ(outcome.status.exit_code, 0);
  EXPECT_THAT(outcome.output, HasSubstr("0::/\n")) << "the cgroup namespace is rooted at the instance's cgroup";
}

TEST(ContainerCgroupV2, ForcedProcsWriteJoinsTheSameCgroupAndTheRecordSaysSo) {
  auto config = config_for({"/bin/sh", "-c", "cat /proc/self/cgroup"});
  config.cgroup_root = unified_root();
  config.clone_into_cgroup = false;
  const Outcome outcome = run_to_completion(config);
  EXPECT_EQ(outcome.phases.cgroup_join, CgroupJoin::procs_write);
  EXPECT_EQ(outcome.cgroup_paths,
            std::vector<std::filesystem::path>{config.cgroup_root / cgroup_parent_name / config.name});
  EXPECT_EQ(outcome.status.exit_code, 0);
  EXPECT_THAT(outcome.output, HasSubstr("0::/\n"));
}

TEST(ContainerCgroupV2, AUserNamespaceInstanceIsClonedIntoItsCgroupToo) {
  if (!sys::have_clone3_on_stack) GTEST_SKIP() << "no clone3 trampoline on this architecture";
  auto config = config_for({"/bin/sh", "-c", "id -u; cat /proc/self/cgroup"});
  config.cgroup_root = unified_root();
  config.user_namespace = true;
  const Outcome outcome = run_to_completion(config);
  EXPECT_EQ(outcome.phases.cgroup_join, CgroupJoin::clone_into_cgroup);
  EXPECT_EQ(outcome.status.exit_code, 0);
  EXPECT_THAT(outcome.output, HasSubstr("READY\n0\n")) << "id -u: root in its user namespace";
  EXPECT_THAT(outcome.output, HasSubstr("0::/\n"));
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
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("cgroup memory: write " + (root / cgroup_parent_name / config.name).string() +
                                        "/memory.max: ENOENT"));
  }
  if (memory_offered) SUCCEED() << "memory controller available on " << controllers;
  expect_nothing_left(config.name, -1);
}

}  // namespace
}  // namespace benchrun::runtime::testing
