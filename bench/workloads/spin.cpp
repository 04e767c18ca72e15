// spin MS: burns one CPU for MS milliseconds of wall time, reading the clock in a tight loop, then says
// how many iterations it managed. Iterations per second is the CPU share the instance really got: it is
// reported to benchrun as the workload metric spin_rate (iterations/s, higher is better).
#include <cstdio>
#include <ctime>

#include "workload_args.hpp"
#include "workload_metrics.hpp"

namespace {

long long monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec;
}

}  // namespace

int main(int argc, char** argv) {
  long long duration_ms = benchrun::workload::parse_single_count(argc, argv, 0, 86'400'000, "spin MS");
  long long started_ns = monotonic_ns();
  long long deadline_ns = started_ns + duration_ms * 1'000'000LL;
  long long iterations = 0;
  long long now_ns = started_ns;
  while (now_ns < deadline_ns) {
    ++iterations;
    now_ns = monotonic_ns();
  }
  const long long elapsed_ns = now_ns - started_ns;
  std::printf("spin: %lld iterations in %lld ms\n", iterations, elapsed_ns / 1'000'000LL);
  if (elapsed_ns > 0) {
    benchrun::workload::report_metric("spin_rate",
                                      static_cast<double>(iterations) * 1e9 / static_cast<double>(elapsed_ns),
                                      "iterations/s", benchrun::workload::Better::higher);
  }
  return 0;
}
