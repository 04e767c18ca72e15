#include "harness/backends/native.hpp"

#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <unistd.h>

#include <fmt/format.h>
#include <array>
#include <csignal>
#include <functional>
#include <thread>

#include "harness/backends/host_backend.hpp"
#include "harness/console_reader.hpp"
#include "sys/child_process.hpp"

namespace benchrun::harness {
namespace {

// Runs `spawn` on a thread that joined the network namespace at `path` (setns changes the calling thread
// only), so the process it starts is born there and benchrun's own threads never leave the host's. Returns
// what `spawn` returns (an errno), or the errno of the open/setns that failed.
int spawn_in_network_namespace(const std::string& path, const std::function<int()>& spawn) {
  const sys::UniqueFd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) sys::throw_errno("native: open network namespace " + path);
  int result = 0;
  std::thread thread([&] { result = ::setns(ns.get(), CLONE_NEWNET) == 0 ? spawn() : errno; });
  thread.join();
  return result;
}

// posix_spawn: the cheapest way to start a process (clone(CLONE_VM|CLONE_VFORK) underneath), which is
// what a fair baseline should pay.
class NativeInstance final : public Instance {
 public:
  NativeInstance(const ImageChoice& image, const InstanceSpec& spec, StopSignal& stop) : stop_(stop) {
    const auto rootfs = image.rootfs();
    std::vector<std::string> args{(rootfs / "sbin/benchinit").string(),
                                  (rootfs / workload_path(spec).substr(1)).string()};
    args.insert(args.end(), spec.workload_args.begin(), spec.workload_args.end());
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::string path_env =
        fmt::format("PATH={}:{}:/usr/bin:/bin", (rootfs / "bench/bin").string(), (rootfs / "bin").string());
    std::array<char*, 2> envp{path_env.data(), nullptr};

    sys::Pipe out = sys::make_pipe();
    sys::Pipe err = sys::make_pipe();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out.write_end.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err.write_end.get(), STDERR_FILENO);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t no_signals;
    sigemptyset(&no_signals);
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) sigaddset(&stop_signals, sig);
    posix_spawnattr_setsigmask(&attributes, &no_signals);
    posix_spawnattr_setsigdefault(&attributes, &stop_signals);
    // Its own process group, so teardown reaches the workload too: killing benchinit alone would orphan a
    // workload that does not end by itself (density's `idle`).
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    pid_t pid = -1;
    const auto spawn = [&] { return posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), envp.data()); };
    const int spawned =
        spec.network_namespace_path.empty() ? spawn() : spawn_in_network_namespace(spec.network_namespace_path, spawn);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (spawned != 0) throw sys::SystemError(spawned, fmt::format("native: spawn {}", args[0]));
    process_ = sys::ChildProcess::open(pid);
    spawned_at_ = sys::monotonic_now();
    console_.emplace(std::move(out.read_end), std::move(err.read_end), stop_);
  }

  std::optional<sys::ConsoleLine> next_line(sys::MonotonicNs deadline) override {
    return console_->next_line(deadline);
  }

  InstanceExit wait_exit(sys::MonotonicNs deadline) override {
    const sys::ChildProcess::ExitStatus& status = process_.wait(deadline, stop_.fd());
    return InstanceExit{status.exit_code, status.signal, false, status.at};
  }

  [[nodiscard]] std::vector<std::pair<std::string, sys::MonotonicNs>> phases() const override {
    return {{"spawned", spawned_at_}};
  }
  InstanceStats stats() override {
    InstanceStats stats;
    // No instance memory figure: posix_spawn's child shares benchrun's memory until exec, so its
    // ru_maxrss counts benchrun's own pages. The workload's max RSS comes with its RESULT line.
    if (const auto usage = process_.usage()) stats.cpu_time_ns = usage->cpu_time_ns;
    return stats;
  }
  std::string diagnostics() override { return console_->stderr_tail(); }
  void destroy() override {
    // While benchinit is unreaped its pid names the group, so the group kill cannot hit anyone else.
    if (process_.running()) ::kill(-process_.pid(), SIGKILL);
    process_.kill_and_reap();
  }

 private:
  StopSignal& stop_;
  sys::ChildProcess process_;
  sys::MonotonicNs spawned_at_ = 0;
  std::optional<ConsoleReader> console_;
};

}  // namespace

std::unique_ptr<Backend> make_native_backend(const BackendSetup& setup) {
  return std::make_unique<HostBackend<NativeInstance>>("native", reports::BackendKind::native,
                                                       std::map<std::string, std::string>{}, setup);
}

}  // namespace benchrun::harness
