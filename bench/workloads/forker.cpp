// forker N [HOLD_MS]: tries to start N children that all stay alive together (each blocks on a pipe), counts
// how many fork() calls succeeded, keeps them alive HOLD_MS more (default 0: the host may look at them meanwhile),
// then lets them go and reaps them. Under pids.max the count stops at the
// limit: "forker: <ok> of <N> children started", exit 0 if all started, else 1. Its own side of pids.max goes to
// benchrun as the workload metrics forks_started and fork_errno (the errno of the first failing fork, 0 if none).
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "workload_args.hpp"
#include "workload_metrics.hpp"

int main(int argc, char** argv) {
  constexpr const char* usage = "forker N [HOLD_MS]";
  // The optional hold: a second whole number, parsed as the first is (argv without it).
  long long hold_ms = 0;
  if (argc == 3) {
    char* hold_argv[] = {argv[0], argv[2], nullptr};
    hold_ms = benchrun::workload::parse_single_count(2, hold_argv, 0, 3'600'000, usage);
    argc = 2;
  }
  long long wanted = benchrun::workload::parse_single_count(argc, argv, 0, 1'000'000, usage);
  int release_pipe[2];
  if (pipe(release_pipe) != 0) {
    std::perror("forker: pipe");
    return 1;
  }
  long long started = 0;
  int first_fork_errno = 0;
  for (long long i = 0; i < wanted; ++i) {
    pid_t child = fork();
    if (child == 0) {
      // Wait for end-of-file: it comes when the parent closes its write end (or dies).
      close(release_pipe[1]);
      char byte;
      while (read(release_pipe[0], &byte, 1) < 0 && errno == EINTR) {
      }
      _exit(0);
    }
    if (child > 0) {
      ++started;
    } else if (first_fork_errno == 0) {
      first_fork_errno = errno;
    }
  }
  if (hold_ms > 0) {
    timespec hold{static_cast<time_t>(hold_ms / 1000), static_cast<long>(hold_ms % 1000) * 1'000'000L};
    while (nanosleep(&hold, &hold) != 0 && errno == EINTR) {
    }
  }
  close(release_pipe[1]);
  close(release_pipe[0]);
  while (wait(nullptr) > 0 || errno == EINTR) {
  }
  std::printf("forker: %lld of %lld children started\n", started, wanted);
  using benchrun::workload::Better;
  benchrun::workload::report_metric("forks_started", static_cast<double>(started), "count", Better::higher);
  benchrun::workload::report_metric("fork_errno", first_fork_errno, "errno", Better::lower);
  if (first_fork_errno != 0) std::fprintf(stderr, "forker: fork: %s\n", std::strerror(first_fork_errno));
  return started == wanted ? 0 : 1;
}
