#include "container_fixture.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>

#include "runtime/cgroup/cgroup.hpp"
#include "runtime/cgroup/mode.hpp"
#include "runtime/sweep.hpp"
#include "sys/file_io.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::runtime::testing {

namespace {

// The library leaves the shared `benchrun` cgroup parents to its callers (benchrun's commands remove
// them when done); so do these tests, once all of them ran. gtest owns the environment it is given.
class RemoveUnusedCgroupParents final : public ::testing::Environment {
  void TearDown() override { remove_unused_cgroup_parents(); }
};
[[maybe_unused]] ::testing::Environment* const remove_parents_when_done =
    ::testing::AddGlobalTestEnvironment(new RemoveUnusedCgroupParents);

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  for (ssize_t got = 0; (got = ::read(fd, buffer, sizeof(buffer))) > 0;)
    text.append(buffer, static_cast<std::size_t>(got));
  return text;
}

}  // namespace

std::filesystem::path image_rootfs() {
  const char* override_dir = std::getenv("BENCHRUN_IMAGE_DIR");
  const std::filesystem::path image = override_dir != nullptr ? override_dir : BENCHRUN_SOURCE_DIR "/images/default";
  const auto rootfs = image / "rootfs";
  if (!std::filesystem::exists(rootfs / "sbin/benchinit")) {
    ADD_FAILURE() << "image missing: no " << (rootfs / "sbin/benchinit")
                  << "; build it with scripts/build-image.sh (cmake target benchrun_image) or set BENCHRUN_IMAGE_DIR";
  }
  return rootfs;
}

ContainerConfig config_for(std::vector<std::string> workload_argv) {
  static std::atomic<int> counter{0};
  ContainerConfig config;
  config.name = fmt::format("benchrun-test{}-{}", ::getpid(), counter++);
  config.rootfs = image_rootfs();
  config.argv = {"/sbin/benchinit"};
  config.argv.insert(config.argv.end(), workload_argv.begin(), workload_argv.end());
  return config;
}

Outcome run_to_completion(ContainerConfig config, std::chrono::milliseconds timeout) {
  auto output = sys::make_pipe();
  config.stdout_fd = output.write_end.get();
  config.stderr_fd = output.write_end.get();
  Outcome outcome;
  pid_t pid = -1;
  {
    auto container = Container::start(config);
    pid = container.pid();
    output.write_end.reset();  // the instance holds the only write end: EOF when it is gone
    auto status = container.wait_for(timeout);
    EXPECT_TRUE(status.has_value()) << config.name << " did not exit within " << timeout.count() << " ms";
    if (!status) container.kill(SIGKILL);
    outcome.status = status ? *status : container.wait();
    outcome.stats = container.stats();
    outcome.phases = container.phases();
    outcome.cgroup_paths = container.cgroup_paths();
    container.destroy();
  }
  outcome.output = read_all(output.read_end.get());
  expect_nothing_left(config.name, pid);
  for (const auto& dir : outcome.cgroup_paths) EXPECT_FALSE(std::filesystem::exists(dir)) << "cgroup left: " << dir;
  return outcome;
}

Outcome run_shell(const std::string& script, ContainerConfig config) {
  config.argv = {"/sbin/benchinit", "/bin/sh", "-c", script};
  return run_to_completion(std::move(config));
}

void expect_nothing_left(const std::string& name, pid_t pid) {
  for (const auto& hierarchy : cgroup_parent_dirs(detect_cgroup_mode(), "/sys/fs/cgroup")) {
    EXPECT_FALSE(std::filesystem::exists(hierarchy / kCgroupParentName / name)) << "cgroup left in " << hierarchy;
  }
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(kDefaultStateRoot) / name)) << "state dir left";
  const std::string mounts = sys::read_file("/proc/self/mountinfo");
  EXPECT_EQ(mounts.find(std::string(kDefaultStateRoot) + "/"), std::string::npos) << "mount left";
  if (pid > 0) {
    EXPECT_TRUE(::kill(pid, 0) != 0 && errno == ESRCH) << "process " << pid << " still exists";
  }
}

}  // namespace benchrun::runtime::testing
