// burner MS [START_AT_MS]: burns one CPU for MS milliseconds of wall time and reports its own side of a CPU
// limit: the CPU time the kernel charged to it (CLOCK_PROCESS_CPUTIME_ID) and the wall time it ran, as the
// workload metrics burner_cpu_ms and burner_wall_ms. The limits suite compares their ratio with the
// instance's CPU quota, and two burners' CPU times with their instances' CPU weights.
// START_AT_MS (CLOCK_REALTIME, ms since the epoch; the clock instances share) first sleeps until then, so
// burners of instances launched one after the other burn over the same window; how late the burn started
// after it (0 when on time) is the metric burner_late_ms.
// It also counts the wall time it stood still without knowing why, burner_stalled_ms: every step of more
// than 1 ms between two reads of the clock its loop takes microseconds between. A guest's kernel charges its
// process the time its vCPU was throttled on the host (no steal time under TCG), so inside a guest the
// CPU the burner really got is its wall time minus the stalls. burner_peak_ran_ms_per_s is the most it ran in
// any one second of its wall time: a CPU quota bounds every second (ten 100 ms periods), where contention
// with other work on the host only lowers the average.
#include <algorithm>
#include <array>
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

struct Stall {
  long long from_ns;
  long long to_ns;
};
// At most one stall per 1 ms of wall time: an hour's worth would not fit, a limits check's seconds do.
constexpr std::size_t max_stalls = 1 << 16;
std::array<Stall, max_stalls> stalls;

// The most the burner ran in any window of `window_ns` within [start, end] (the whole run if shorter): the
// window that runs most starts at the run's start or where a stall ended.
long long peak_ran_ns(std::size_t count, long long start_ns, long long end_ns, long long window_ns) {
  window_ns = std::min(window_ns, end_ns - start_ns);
  long long peak = 0;
  for (std::size_t candidate = 0; candidate <= count; ++candidate) {
    const long long from = std::min(candidate == 0 ? start_ns : stalls[candidate - 1].to_ns, end_ns - window_ns);
    const long long to = from + window_ns;
    long long ran = window_ns;
    for (std::size_t i = 0; i < count; ++i)
      ran -= std::max(0LL, std::min(to, stalls[i].to_ns) - std::max(from, stalls[i].from_ns));
    peak = std::max(peak, ran);
  }
  return peak;
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
  constexpr long long stall_ns = 1'000'000;
  long long stalled_ns = 0;
  std::size_t stall_count = 0;
  bool stalls_overflowed = false;
  // volatile: the loop is the load, the compiler must keep it.
  volatile unsigned long long iterations = 0;
  while (wall_now_ns < deadline_ns) {
    for (int spin = 0; spin < 1000; ++spin) iterations = iterations + 1;
    const long long previous_ns = wall_now_ns;
    wall_now_ns = clock_ns(CLOCK_MONOTONIC);
    if (wall_now_ns - previous_ns > stall_ns) {
      stalled_ns += wall_now_ns - previous_ns;
      if (stall_count < max_stalls) {
        stalls[stall_count++] = Stall{previous_ns, wall_now_ns};
      } else {
        stalls_overflowed = true;
      }
    }
  }
  const double cpu_ms = static_cast<double>(clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu_started_ns) / 1e6;
  const double wall_ms = static_cast<double>(wall_now_ns - wall_started_ns) / 1e6;
  std::printf("burner: %.1f ms of CPU in %.1f ms of wall time\n", cpu_ms, wall_ms);
  benchrun::workload::report_metric("burner_cpu_ms", cpu_ms, "ms", benchrun::workload::Better::higher);
  benchrun::workload::report_metric("burner_wall_ms", wall_ms, "ms", benchrun::workload::Better::lower);
  if (start_at_ms > 0)
    benchrun::workload::report_metric("burner_late_ms", late_ms, "ms", benchrun::workload::Better::lower);
  benchrun::workload::report_metric("burner_stalled_ms", static_cast<double>(stalled_ns) / 1e6, "ms",
                                    benchrun::workload::Better::lower);
  if (!stalls_overflowed) {
    const double peak_ms =
        static_cast<double>(peak_ran_ns(stall_count, wall_started_ns, wall_now_ns, 1'000'000'000LL)) / 1e6;
    benchrun::workload::report_metric("burner_peak_ran_ms_per_s", peak_ms, "ms", benchrun::workload::Better::higher);
  }
  return 0;
}
