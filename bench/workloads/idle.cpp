// idle: a workload that does nothing until told to stop. The density suite keeps hundreds of instances
// alive with it, so what an instance costs is the isolation around it, not the workload. It sleeps in
// sigsuspend() (no timer, no CPU) and exits 0 on SIGTERM, SIGINT or SIGHUP (benchinit forwards them); a teardown
// that kills the instance outright works too.
#include <signal.h>

namespace {

constexpr int stop_signals[] = {SIGTERM, SIGINT, SIGHUP};
volatile sig_atomic_t g_stop_requested = 0;

void request_stop(int /*signal_number*/) { g_stop_requested = 1; }

}  // namespace

int main() {
  // Blocked outside sigsuspend, so a stop request between the check and the wait is never lost.
  sigset_t blocked;
  sigemptyset(&blocked);
  struct sigaction action = {};
  action.sa_handler = request_stop;
  for (int signal_number : stop_signals) {
    sigaddset(&blocked, signal_number);
    sigaction(signal_number, &action, nullptr);
  }
  sigset_t waiting_mask;
  sigprocmask(SIG_BLOCK, &blocked, &waiting_mask);
  for (int signal_number : stop_signals) sigdelset(&waiting_mask, signal_number);
  while (g_stop_requested == 0) sigsuspend(&waiting_mask);
  return 0;
}
