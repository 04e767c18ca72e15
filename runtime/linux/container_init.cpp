#include "runtime/linux/container_init.hpp"

#include <linux/close_range.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "sys/clock.hpp"

namespace benchrun::runtime::kernel {

namespace {

void write_report(int fd, const ChildReport& report) noexcept {
  // One write of a record under PIPE_BUF is atomic; a failure here has nowhere to be reported.
  while (::write(fd, &report, sizeof(report)) < 0 && errno == EINTR) {
  }
}

[[noreturn]] void report_failure_and_exit(const InitPlan& plan, ChildReport& report,
                                          const ChildFailure& failure) noexcept {
  report.kind = ChildReport::kFailure;
  report.errno_value = failure.errno_value;
  std::memcpy(report.what, failure.what, sizeof(report.what));
  write_report(plan.report_fd, report);
  ::_exit(127);
}

bool wait_for_user_namespace_maps(const InitPlan& plan, ChildFailure& failure) noexcept {
  if (plan.user_namespace_sync_fd < 0) return true;
  ::close(plan.user_namespace_sync_write_fd);
  char byte = 0;
  ssize_t got = 0;
  while ((got = ::read(plan.user_namespace_sync_fd, &byte, 1)) < 0 && errno == EINTR) {
  }
  if (got != 0) return fail(failure, "wait for uid/gid maps");
  // Until now this process had no uid in its namespace; the maps give it root there.
  if (::setresgid(0, 0, 0) != 0) return fail(failure, "setresgid 0");
  if (::setresuid(0, 0, 0) != 0) return fail(failure, "setresuid 0");
  return true;
}

bool join_cgroup(const InitPlan& plan, ChildFailure& failure) noexcept {
  for (const int fd : plan.cgroup_procs_fds) {
    if (::write(fd, "0", 1) != 1) return fail(failure, "join cgroup (write 0 to cgroup.procs)");
  }
  return true;
}

bool bring_up_loopback(ChildFailure& failure) noexcept {
  const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return fail(failure, "socket for lo");
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  bool ok = ::ioctl(sock, SIOCGIFFLAGS, &request) == 0;
  if (ok) {
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    ok = ::ioctl(sock, SIOCSIFFLAGS, &request) == 0;
  }
  if (!ok) fail(failure, "bring up lo");
  ::close(sock);
  return ok;
}

bool wire_stdio(const InitPlan& plan, ChildFailure& failure) noexcept {
  const int wanted[] = {plan.stdin_fd, plan.stdout_fd, plan.stderr_fd};
  for (int target = 0; target < 3; ++target) {
    if (wanted[target] >= 0 && wanted[target] != target && ::dup2(wanted[target], target) < 0) {
      return fail(failure, "dup2 %d onto %d", wanted[target], target);
    }
  }
  // Nothing of the host's but stdio crosses exec, whatever the harness left inheritable.
  if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) return fail(failure, "close_range");
  return true;
}

// Every handler back to the default, then the parent's mask: the workload starts with a clean signal
// state, and no handler of the parent's ever ran in this process.
void reset_signals(const sigset_t* mask) noexcept {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signal = 1; signal < NSIG; ++signal) {
    if (signal != SIGKILL && signal != SIGSTOP) ::sigaction(signal, &default_action, nullptr);
  }
  if (mask != nullptr) ::sigprocmask(SIG_SETMASK, mask, nullptr);
}

}  // namespace

void run_container_init(const InitPlan& plan) noexcept {
  ChildReport report;
  report.cloned = sys::monotonic_now();
  ChildFailure failure;
  reset_signals(plan.signal_mask);
  // 0. Until exec, the parent (thread) waits in start(): if it dies, so does this half-built init,
  //    rather than waiting forever. (getppid() cannot check for a parent already gone: in the new pid
  //    namespace it is 0.)
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
    fail(failure, "follow the parent's death");
    report_failure_and_exit(plan, report, failure);
  }
  // 0b. A prepared network namespace is joined before anything mounts: sysfs shows the links of the
  //     namespace its mounter is in.
  if (plan.network_namespace_fd >= 0 && ::setns(plan.network_namespace_fd, CLONE_NEWNET) != 0) {
    fail(failure, "join the prepared network namespace");
    report_failure_and_exit(plan, report, failure);
  }
  // 1. The uid maps come first: every later step needs root in the (optional) user namespace.
  // 2. Join the cgroup before anything runs that should be accounted, and before the cgroup namespace
  //    is made, so the namespace's root is the instance's own cgroup (as runc and crun do). An init
  //    cloned into its cgroup (CLONE_INTO_CGROUP) has no cgroup.procs to write.
  if (!wait_for_user_namespace_maps(plan, failure) || !join_cgroup(plan, failure)) {
    report_failure_and_exit(plan, report, failure);
  }
  if (::unshare(CLONE_NEWCGROUP) != 0) {
    fail(failure, "unshare cgroup namespace");
    report_failure_and_exit(plan, report, failure);
  }
  report.cgroup_ready = sys::monotonic_now();
  // 3. Mounts need the host's /dev and /proc (bind sources, /proc/self/fd paths), so they precede
  //    pivot_root, which build_rootfs ends with.
  if (!build_rootfs(plan.rootfs, failure)) report_failure_and_exit(plan, report, failure);
  report.mounts_done = sys::monotonic_now();
  if (::sethostname(plan.hostname, std::strlen(plan.hostname)) != 0) {
    fail(failure, "sethostname %s", plan.hostname);
    report_failure_and_exit(plan, report, failure);
  }
  if ((plan.bring_up_loopback && !bring_up_loopback(failure)) || !wire_stdio(plan, failure)) {
    report_failure_and_exit(plan, report, failure);
  }
  // 4. Capabilities and seccomp last: the steps above need CAP_SYS_ADMIN and mount(2), which the
  //    filter denies.
  if (plan.security != nullptr && !apply_security(*plan.security, failure)) {
    report_failure_and_exit(plan, report, failure);
  }
  // After exec the instance outlives a harness thread that exits; the sweep handles a dead harness.
  if (::prctl(PR_SET_PDEATHSIG, 0) != 0) {
    fail(failure, "clear the parent-death signal");
    report_failure_and_exit(plan, report, failure);
  }
  // The workload starts with no signal blocked: the harness blocks its stop signals (read from a
  //    signalfd), and a blocked mask survives exec.
  sigset_t no_signals;
  sigemptyset(&no_signals);
  ::sigprocmask(SIG_SETMASK, &no_signals, nullptr);
  report.kind = ChildReport::kPhases;
  report.exec = sys::monotonic_now();
  write_report(plan.report_fd, report);
  ::execve(plan.argv[0], plan.argv, plan.envp);
  fail(failure, "exec %s", plan.argv[0]);
  report_failure_and_exit(plan, report, failure);
}

}  // namespace benchrun::runtime::kernel
