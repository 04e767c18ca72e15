// burner MS [START_AT_MS]: burns one CPU for MS milliseconds of wall time and reports its own side of a CPU
// limit: the CPU time the kernel charged to it (CLOCK_PROCESS_CPUTIME_ID) and the wall time it ran, as the
// workload metrics burner_cpu_ms and burner_wall_ms. The limits suite compares their ratio with the
// instance's CPU quota, and two burners' CPU times with their instances' CPU weights.
// START_AT_MS (CLOCK_REALTIME, ms since the epoch; the clock instances share) first sleeps until then, so
// burners of instances launched one after the other burn over the same window; how late the burn started
// after it (0 when on time) is the metric burner_late_ms.
#include <cerrno>
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
  constexpr const char* usage = "burner MS [START_AT_MS]";
  // The optional start: a second whole number, parsed as the first is (argv without it).
  long long start_at_ms = 0;
  if (argc == 3) {
    char* start_argv[] = {argv[0], argv[2], nullptr};
    start_at_ms = benchrun::workload::parse_single_count(2, start_argv, 1, 1LL << 50, usage);
    argc = 2;
  }
  const long long duration_ms = benchrun::workload::parse_single_count(argc, argv, 1, 86'400'000, usage);
  double late_ms = 0;
  if (start_at_ms > 0) {
    const timespec start{static_cast<time_t>(start_at_ms / 1000), static_cast<long>(start_at_ms % 1000) * 1'000'000L};
    while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &start, nullptr) == EINTR) {
    }
    const long long late_ns = clock_ns(CLOCK_REALTIME) - start_at_ms * 1'000'000LL;
    late_ms = late_ns > 0 ? static_cast<double>(late_ns) / 1e6 : 0.0;
  }
  const long long cpu_started_ns = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
  const long long wall_started_ns = clock_ns(CLOCK_MONOTONIC);
  const long long deadline_ns = wall_started_ns + duration_ms * 1'000'000LL;
  long long wall_now_ns = wall_started_ns;
  // volatile: the loop is the load, the compiler must keep it.
  volatile unsigned long long iterations = 0;
  while (wall_now_ns < deadline_ns) {
    for (int spin = 0; spin < 1000; ++spin) iterations = iterations + 1;
    wall_now_ns = clock_ns(CLOCK_MONOTONIC);
  }
  const double cpu_ms = static_cast<double>(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_started_ns) / 1e6;
  const double wall_ms = static_cast<double>(wall_now_ns - wall_started_ns) / 1e6;
  std::printf("burner: %.1f ms of CPU in %.1f ms of wall time\n", cpu_ms, wall_ms);
  benchrun::workload::report_metric("burner_cpu_ms", cpu_ms, "ms", benchrun::workload::Better::higher);
  benchrun::workload::report_metric("burner_wall_ms", wall_ms, "ms", benchrun::workload::Better::lower);
  if (start_at_ms > 0)
    benchrun::workload::report_metric("burner_late_ms", late_ms, "ms", benchrun::workload::Better::lower);
  return 0;
}
