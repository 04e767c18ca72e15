// affinity MS: the workload's own side of a cpuset. Reports the CPUs it may run on (sched_getaffinity) and
// the CPUs it was seen running on (getcpu, sampled in a busy loop for MS milliseconds, on as many threads as
// it may use CPUs, so an unconfined probe does reach the other CPUs), each as a bitmask of CPU numbers below
// 52 (exact in the double a workload metric carries): affinity_mask, cpus_seen_mask, and getcpu_samples.
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdio>
#include <ctime>

#include "workload_args.hpp"
#include "workload_metrics.hpp"

namespace {

constexpr int mask_cpus = 52;
constexpr int max_threads = 64;

long long monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec;
}

struct Probe {
  long long deadline_ns = 0;
  std::atomic<unsigned long long> seen_mask{0};
  std::atomic<long long> samples{0};
  std::atomic<bool> out_of_range{false};
};

void* sample_cpus(void* arg) {
  Probe& probe = *static_cast<Probe*>(arg);
  unsigned long long seen = 0;
  long long samples = 0;
  while (monotonic_ns() < probe.deadline_ns) {
    const int cpu = sched_getcpu();
    if (cpu >= 0 && cpu < mask_cpus) {
      seen |= 1ULL << cpu;
    } else {
      probe.out_of_range = true;
    }
    ++samples;
  }
  probe.seen_mask |= seen;
  probe.samples += samples;
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  const long long duration_ms = benchrun::workload::parse_single_count(argc, argv, 1, 86'400'000, "affinity MS");
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0) {
    std::perror("affinity: sched_getaffinity");
    return 1;
  }
  unsigned long long allowed_mask = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    if (cpu >= mask_cpus) {
      std::fprintf(stderr, "affinity: CPU %d is beyond the %d a metric can carry\n", cpu, mask_cpus);
      return 1;
    }
    allowed_mask |= 1ULL << cpu;
  }
  Probe probe;
  probe.deadline_ns = monotonic_ns() + duration_ms * 1'000'000LL;
  const int threads = CPU_COUNT(&allowed) < max_threads ? CPU_COUNT(&allowed) : max_threads;
  pthread_t workers[max_threads];
  int started = 0;
  for (; started < threads; ++started) {
    if (pthread_create(&workers[started], nullptr, sample_cpus, &probe) != 0) break;
  }
  for (int index = 0; index < started; ++index) pthread_join(workers[index], nullptr);
  if (started == 0 || probe.out_of_range) {
    std::fprintf(stderr, "affinity: %s\n", started == 0 ? "no sampling thread started" : "getcpu beyond 52 CPUs");
    return 1;
  }
  std::printf("affinity: allowed 0x%llx, seen 0x%llx in %lld samples on %d threads\n", allowed_mask,
              probe.seen_mask.load(), probe.samples.load(), started);
  using benchrun::workload::Better;
  benchrun::workload::report_metric("affinity_mask", static_cast<double>(allowed_mask), "cpus", Better::lower);
  benchrun::workload::report_metric("cpus_seen_mask", static_cast<double>(probe.seen_mask.load()), "cpus",
                                    Better::lower);
  benchrun::workload::report_metric("getcpu_samples", static_cast<double>(probe.samples.load()), "count",
                                    Better::higher);
  return 0;
}
