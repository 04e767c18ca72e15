// Micro-benchmarks of the container runtime's launch path, piece by piece, so a regression in the whole
// lifecycle (bench "ContainerHello", compared with `crun run` in the startup suite) can be located.
// Needs root and the image (images/default/rootfs, or BENCHRUN_IMAGE_DIR).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdlib>
#include <filesystem>

#include "runtime/cgroup/cgroup.hpp"
#include "runtime/cgroup/mode.hpp"
#include "runtime/container.hpp"
#include "runtime/linux/rootfs.hpp"
#include "runtime/state_dir.hpp"
#include "runtime/sweep.hpp"
#include "sys/clock.hpp"
#include "sys/error.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::runtime {
namespace {

std::filesystem::path image_rootfs() {
  const char* override_dir = std::getenv("BENCHRUN_IMAGE_DIR");
  return std::filesystem::path(override_dir != nullptr ? override_dir : BENCHRUN_SOURCE_DIR "/images/default") /
         "rootfs";
}

std::string instance_name() {
  static int counter = 0;
  return fmt::format("benchrun-bench{}-{}", ::getpid(), counter++);
}

// The image's hello under benchinit, its output thrown away on `dev_null`: the container every start
// benchmark launches.
ContainerConfig quiet_hello_config(int dev_null) {
  ContainerConfig config;
  config.rootfs = image_rootfs();
  config.argv = {"/sbin/benchinit", "/bench/bin/hello"};
  config.stdout_fd = dev_null;
  config.stderr_fd = dev_null;
  return config;
}

// Clones a child into `flags` namespaces the way Container::start does (sharing memory, parent
// suspended until the child is done: a fork-like copy costs milliseconds on a virtualised host), runs
// `body` in it, and reaps it through its pidfd.
template <typename ChildBody>
void clone_and_reap(int flags, ChildBody&& body, benchmark::State& state) {
  struct Context {
    ChildBody* body;
  } context{&body};
  alignas(16) std::array<std::byte, 64 * 1024> stack;
  int pidfd = -1;
  const pid_t pid =
      ::clone([](void* arg) -> int { ::_exit((*static_cast<Context*>(arg)->body)() ? 0 : 1); },
              stack.data() + stack.size(), flags | CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &context, &pidfd);
  if (pid < 0) {
    state.SkipWithError(("clone: " + sys::describe_errno(errno)).c_str());
    return;
  }
  const sys::UniqueFd owned(pidfd);
  siginfo_t info{};
  ::waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED);
  if (info.si_status != 0) state.SkipWithError("child failed");
}

void CloneNamespaces(benchmark::State& state, int flags) {
  for (auto _ : state)
    clone_and_reap(
        flags, [] { return true; }, state);
}
BENCHMARK_CAPTURE(CloneNamespaces, none, 0)->UseRealTime();
BENCHMARK_CAPTURE(CloneNamespaces, pid, CLONE_NEWPID)->UseRealTime();
BENCHMARK_CAPTURE(CloneNamespaces, pid_mnt, CLONE_NEWPID | CLONE_NEWNS)->UseRealTime();
BENCHMARK_CAPTURE(CloneNamespaces, all_but_net,
                  CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)
    ->UseRealTime();
BENCHMARK_CAPTURE(CloneNamespaces, all,
                  CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_NEWNET)
    ->UseRealTime();

void CgroupCreateDestroy(benchmark::State& state) {
  const auto mode = detect_cgroup_mode();
  ResourceLimits limits;
  limits.memory_bytes = 64ull << 20;
  limits.cpus = 0.5;
  limits.pids_max = 64;
  for (auto _ : state) {
    auto cgroup = create_cgroup(mode, "/sys/fs/cgroup", instance_name());
    cgroup->apply(limits);
    cgroup->destroy();
  }
}
BENCHMARK(CgroupCreateDestroy)->UseRealTime();

// State dir + overlay + /proc, /dev, /sys, /tmp + pivot_root + masks in a fresh mount namespace, torn down.
void OverlayPivotRoot(benchmark::State& state) {
  const auto rootfs = image_rootfs();
  for (auto _ : state) {
    auto dir = StateDir::create(default_state_root, instance_name());
    const kernel::RootfsPlan plan = kernel::make_rootfs_plan(rootfs.string(), dir.scratch().string(), false);
    clone_and_reap(
        CLONE_NEWNS | CLONE_NEWPID,
        [&] {
          kernel::ChildFailure failure;
          return kernel::build_rootfs(plan, failure);
        },
        state);
    dir.remove();
  }
}
BENCHMARK(OverlayPivotRoot)->UseRealTime();

void ContainerHello(benchmark::State& state, bool network_namespace) {
  const sys::UniqueFd dev_null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  ContainerConfig config = quiet_hello_config(dev_null.get());
  config.network_namespace = network_namespace;
  // Where the time goes, averaged per iteration: the phases of start(), the workload, the teardown.
  double prepare_ns = 0, clone_ns = 0, cgroup_ns = 0, mounts_ns = 0, exec_ns = 0, run_ns = 0, destroy_ns = 0;
  for (auto _ : state) {
    config.name = instance_name();
    auto container = Container::start(config);
    if (container.wait().exit_code != 0) state.SkipWithError("hello failed");
    const auto exited = sys::monotonic_now();
    container.destroy();
    const auto& phases = container.phases();
    prepare_ns += static_cast<double>(phases.prepared - phases.start);
    clone_ns += static_cast<double>(phases.cloned - phases.prepared);
    cgroup_ns += static_cast<double>(phases.cgroup_ready - phases.cloned);
    mounts_ns += static_cast<double>(phases.mounts_done - phases.cgroup_ready);
    exec_ns += static_cast<double>(phases.exec - phases.mounts_done);
    run_ns += static_cast<double>(exited - phases.exec);
    destroy_ns += static_cast<double>(sys::monotonic_now() - exited);
  }
  const auto per_iteration_us = [&](double total_ns) {
    return benchmark::Counter(total_ns / 1e3, benchmark::Counter::kAvgIterations);
  };
  state.counters["prepare_us"] = per_iteration_us(prepare_ns);
  state.counters["clone_us"] = per_iteration_us(clone_ns);
  state.counters["cgroup_join_us"] = per_iteration_us(cgroup_ns);
  state.counters["mounts_us"] = per_iteration_us(mounts_ns);
  state.counters["to_exec_us"] = per_iteration_us(exec_ns);
  state.counters["exec_to_exit_us"] = per_iteration_us(run_ns);
  state.counters["destroy_us"] = per_iteration_us(destroy_ns);
}
BENCHMARK_CAPTURE(ContainerHello, all_namespaces, true)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ContainerHello, host_network, false)->UseRealTime()->Unit(benchmark::kMillisecond);

// start() to the init's execve on the cgroup2 tree (/sys/fs/cgroup, or <root>/unified on a hybrid host),
// the init born in its cgroup (clone3 CLONE_INTO_CGROUP) or moved there by its cgroup.procs write.
// Cold: 100 ms of idle before each start, when an RCU grace period is slowest to come.
void StartToExecV2(benchmark::State& state, bool clone_into_cgroup, bool cold) {
  const auto mode = detect_cgroup_mode();
  if (mode == CgroupMode::v1) {
    state.SkipWithError("no cgroup2 mount");
    return;
  }
  const sys::UniqueFd dev_null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  ContainerConfig config = quiet_hello_config(dev_null.get());
  config.cgroup_root = mode == CgroupMode::v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
  config.clone_into_cgroup = clone_into_cgroup;
  // No network namespace: its creation and deferred cleanup cost milliseconds and would drown the join.
  config.network_namespace = false;
  double clone_to_cgroup_ready_ns = 0;
  for (auto _ : state) {
    if (cold) ::usleep(100'000);
    // A concurrent benchrun's sweep (built before the sweep stopped trusting a snapshot of live
    // instances) can remove a starting instance's state dir; such a start is retried, and only the
    // successful one is timed.
    std::optional<Container> started;
    for (int attempt = 0; !started && attempt < 3; ++attempt) {
      config.name = instance_name();
      try {
        started.emplace(Container::start(config));
      } catch (const sys::Error&) {
        if (attempt == 2) throw;
      }
    }
    auto& container = *started;
    const auto& phases = container.phases();
    state.SetIterationTime(static_cast<double>(phases.exec - phases.start) / 1e9);
    clone_to_cgroup_ready_ns += static_cast<double>(phases.cgroup_ready - phases.prepared);
    if ((phases.cgroup_join == CgroupJoin::clone_into_cgroup) != clone_into_cgroup) {
      state.SkipWithError(("ran " + to_string(phases.cgroup_join)).c_str());
    }
    if (container.wait().exit_code != 0) state.SkipWithError("hello failed");
    container.destroy();
  }
  state.counters["clone_to_cgroup_ready_us"] =
      benchmark::Counter(clone_to_cgroup_ready_ns / 1e3, benchmark::Counter::kAvgIterations);
}
BENCHMARK_CAPTURE(StartToExecV2, clone_into_cgroup_warm, true, false)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(StartToExecV2, procs_write_warm, false, false)->UseManualTime()->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(StartToExecV2, clone_into_cgroup_cold, true, true)
    ->UseManualTime()
    ->Iterations(60)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(StartToExecV2, procs_write_cold, false, true)
    ->UseManualTime()
    ->Iterations(60)
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace benchrun::runtime

// BENCHMARK_MAIN, then what benchrun's own commands do when done: the runtime leaves the shared
// `benchrun` cgroup parents to its callers (every hierarchy, a hybrid host's unified tree included).
int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  benchrun::runtime::remove_unused_cgroup_parents();
  return 0;
}
