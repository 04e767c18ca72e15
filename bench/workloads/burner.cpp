// burner MS: burns one CPU for MS milliseconds of wall time and reports its own side of a CPU quota: the CPU
// time the kernel charged to it (CLOCK_PROCESS_CPUTIME_ID) and the wall time it ran, as the workload metrics
// burner_cpu_ms and burner_wall_ms. The limits suite compares their ratio with the instance's CPU quota.
// It also counts the wall time it stood still without knowing why, burner_stalled_ms: every step of more
// than 1 ms between two reads of the clock its loop takes microseconds between. A guest's kernel charges its
// process the time its vCPU was throttled on the host (no steal time under TCG), so inside a guest the
// CPU the burner really got is its wall time minus the stalls.
#include <cstdio>
#include <ctime>

#include "workload_args.hpp"
#include "workload_metrics.hpp"

namespace {

long long clock_ns(clockid_t clock) {
  timespec now{};
  clock_gettime(clock, &now);
  return static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec;
}

}  // namespace

int main(int argc, char** argv) {
  const long long duration_ms = benchrun::workload::parse_single_count(argc, argv, 1, 86'400'000, "burner MS");
  const long long cpu_started_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
  const long long wall_started_ns = clock_ns(CLOCK_MONOTONIC);
  const long long deadline_ns = wall_started_ns + duration_ms * 1'000'000LL;
  long long wall_now_ns = wall_started_ns;
  constexpr long long stall_ns = 1'000'000;
  long long stalled_ns = 0;
  // volatile: the loop is the load, the compiler must keep it.
  volatile unsigned long long iterations = 0;
  while (wall_now_ns < deadline_ns) {
    for (int spin = 0; spin < 1000; ++spin) iterations = iterations + 1;
    const long long previous_ns = wall_now_ns;
    wall_now_ns = clock_ns(CLOCK_MONOTONIC);
    if (wall_now_ns - previous_ns > stall_ns) stalled_ns += wall_now_ns - previous_ns;
  }
  const double cpu_ms = static_cast<double>(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_started_ns) / 1e6;
  const double wall_ms = static_cast<double>(wall_now_ns - wall_started_ns) / 1e6;
  std::printf("burner: %.1f ms of CPU in %.1f ms of wall time\n", cpu_ms, wall_ms);
  benchrun::workload::report_metric("burner_cpu_ms", cpu_ms, "ms", benchrun::workload::Better::higher);
  benchrun::workload::report_metric("burner_wall_ms", wall_ms, "ms", benchrun::workload::Better::lower);
  benchrun::workload::report_metric("burner_stalled_ms", static_cast<double>(stalled_ns) / 1e6, "ms",
                                    benchrun::workload::Better::lower);
  return 0;
}
