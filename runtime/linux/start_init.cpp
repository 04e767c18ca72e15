#include "runtime/linux/start_init.hpp"

#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sanitizer/asan_interface.h>
#include <sched.h>
#include <sys/wait.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sys/clone3_on_stack.hpp"
#include "sys/error.hpp"
#include "sys/retry.hpp"

namespace benchrun::runtime::kernel {

namespace {

// The init's stack, on the parent's: the parent is suspended (CLONE_VFORK) or the child has a copy.
constexpr std::size_t init_stack_size = 64 * 1024;

int init_entry(void* plan) { run_container_init(*static_cast<const InitPlan*>(plan)); }

// clone3 of the init into the cgroup `cgroup_dir_fd`. -1 and errno on failure.
pid_t clone3_into_cgroup(InitPlan& plan, int flags, int cgroup_dir_fd, std::span<std::byte> stack, int& pidfd) {
  clone_args args{};
  args.flags = static_cast<std::uint64_t>(flags) | CLONE_PIDFD | CLONE_INTO_CGROUP;
  args.pidfd = reinterpret_cast<std::uintptr_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<std::uintptr_t>(stack.data());
  args.stack_size = stack.size();
  args.cgroup = static_cast<std::uint64_t>(cgroup_dir_fd);
  return sys::clone3_on_stack(args, init_entry, &plan);
}

pid_t clone_with_procs_write(InitPlan& plan, int flags, std::span<std::byte> stack, int& pidfd) {
  return ::clone(init_entry, stack.data() + stack.size(), flags | CLONE_PIDFD | SIGCHLD, &plan, &pidfd);
}

// Runs `clone_call` with all signals blocked, so no handler of the parent's can run on shared memory in
// the child before it resets them (the init restores `plan.signal_mask` before exec).
template <typename CloneCall>
pid_t with_signals_blocked(InitPlan& plan, std::span<std::byte> stack, CloneCall&& clone_call) {
  sigset_t all_signals;
  sigfillset(&all_signals);
  sigset_t original{};
  pthread_sigmask(SIG_SETMASK, &all_signals, &original);
  plan.signal_mask = &original;
  const pid_t pid = clone_call();
  const int clone_errno = errno;
  // The init ran on this stack in our address space (CLONE_VM): under AddressSanitizer its frames left
  // shadow poison there that would flag this thread's next frames. A no-op in other builds.
  ASAN_UNPOISON_MEMORY_REGION(stack.data(), stack.size());
  pthread_sigmask(SIG_SETMASK, &original, nullptr);
  plan.signal_mask = nullptr;
  errno = clone_errno;
  return pid;
}

int probe_entry(void* /*unused*/) { return 0; }

bool run_probe() {
  if constexpr (!sys::have_clone3_on_stack) return false;
  // Any directory that is no cgroup2 one: a kernel that knows CLONE_INTO_CGROUP looks the fd up and
  // answers EBADF, having created nothing; an older one (or a seccomp filter) refuses the call first.
  const sys::UniqueFd not_a_cgroup(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!not_a_cgroup) return false;
  // CLONE_VM|CLONE_VFORK keeps the probe cheap (the kernel copies no page tables before it fails),
  // and the stack makes even an unexpected success harmless: the child returns 0 at once.
  alignas(16) std::array<std::byte, 16 * 1024> stack;
  clone_args args{};
  args.flags = CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<std::uintptr_t>(stack.data());
  args.stack_size = stack.size();
  args.cgroup = static_cast<std::uint64_t>(not_a_cgroup.get());
  const pid_t pid = sys::clone3_on_stack(args, probe_entry, nullptr);
  const int probe_errno = errno;
  ASAN_UNPOISON_MEMORY_REGION(stack.data(), stack.size());
  if (pid > 0) sys::retry_eintr([&] { return ::waitpid(pid, nullptr, 0); });
  return probe_shows_clone_into_cgroup(pid, probe_errno);
}

}  // namespace

bool is_clone3_refusal(int errno_value) noexcept {
  // ENOSYS: no clone3 (< 5.3) or a filter's answer; E2BIG: a struct larger than the kernel knows
  // (< 5.7 for the cgroup field); EINVAL: an unknown flag; EPERM / EOPNOTSUPP: what container seccomp
  // profiles have answered for clone3. Each leaves the old clone to try, and it reports its own errors.
  return errno_value == ENOSYS || errno_value == E2BIG || errno_value == EINVAL || errno_value == EPERM ||
         errno_value == EOPNOTSUPP;
}

bool probe_shows_clone_into_cgroup(long result, int errno_value) noexcept { return result < 0 && errno_value == EBADF; }

bool kernel_has_clone_into_cgroup() {
  // Immutable once made (a function-local const, initialised once even under concurrent first calls):
  // the process-wide cache is a fact about the kernel, not state anyone changes. The probe costs one
  // failing clone3; every start after the first skips it.
  static const bool supported = run_probe();
  return supported;
}

StartedInit start_init(InitPlan& plan, const CloneRequest& request, const Cgroup& cgroup) {
  int flags = request.namespace_flags;
  if (request.share_memory) flags |= CLONE_VM | CLONE_VFORK;
  alignas(16) std::array<std::byte, init_stack_size> stack;
  StartedInit started;
  int pidfd = -1;

  // cgroup v2: the init is born in its cgroup. A cgroup.procs write would move it there after the
  // fact, and on this host's cgroup v1 that first write waits ~12.7 ms for an RCU grace period when
  // the host is idle (the threadgroup rwsem's write side); CLONE_INTO_CGROUP takes only the read side.
  // Measured on the hybrid host's controller-less cgroup2 tree, no network namespace, other builds
  // running (load ~4 on 2 cores), medians of 5 x 60 starts (bench StartToExecV2): start() to exec cold
  // (100 ms idle before each) 2.06 ms born in the cgroup against 2.05 ms with the write, clone to
  // cgroup_ready 348 against 370 us; warm runs drifted with the load (3.98 against 4.41 ms). The stall
  // did not show here under that load; the path is kept for idle v2 hosts, where nothing else keeps
  // the rwsem's RCU sync warm.
  std::optional<sys::UniqueFd> cgroup_dir;
  if (request.allow_clone_into_cgroup && kernel_has_clone_into_cgroup()) cgroup_dir = cgroup.open_dir_for_clone();
  if (cgroup_dir) {
    started.pid = with_signals_blocked(
        plan, stack, [&] { return clone3_into_cgroup(plan, flags, cgroup_dir->get(), stack, pidfd); });
    if (started.pid < 0 && !is_clone3_refusal(errno)) sys::throw_errno("clone3 into cgroup");
    if (started.pid >= 0) started.cgroup_join = CgroupJoin::clone_into_cgroup;
  }
  // v1, or clone3 refused: the init writes "0" to every cgroup.procs before anything else runs.
  std::vector<sys::UniqueFd> procs_fds;
  if (started.pid < 0) {
    procs_fds = cgroup.open_procs_for_join();
    plan.cgroup_procs_fds.clear();
    for (const auto& fd : procs_fds) plan.cgroup_procs_fds.push_back(fd.get());
    started.pid = with_signals_blocked(plan, stack, [&] { return clone_with_procs_write(plan, flags, stack, pidfd); });
    if (started.pid < 0) sys::throw_errno("clone");
    started.cgroup_join = CgroupJoin::procs_write;
  }
  started.pidfd.reset(pidfd);
  return started;
}

}  // namespace benchrun::runtime::kernel
