// ticker MS [TICK_MS]: does a fixed chunk of checksummed work over and over for MS milliseconds of wall time, timing
// every chunk on CLOCK_MONOTONIC, then checks its own memory: the limits suite's freezer check freezes it in
// the middle and needs the workload's side of that (limits_freezer.hpp).
// - ticker_max_gap_ms: the largest time between the ends of two consecutive chunks (a freeze shows as one gap
//   as long as the freeze; a chunk takes microseconds);
// - ticker_iterations, ticker_iterations_after_gap: chunks done, and done after that largest gap (it went on);
// - ticker_checksum_ok: 1 when a replay of the same number of chunks on fresh memory gives the same words and
//   the same checksum, which the frozen and thawed memory must (0, and exit 1, otherwise).
// With TICK_MS, it also prints "ticker: tick N" (N = 1, 2, ...) once TICK_MS of its own time passed since the
// last one, flushed at once, and reports ticker_ticks, how many it printed: a guest's own clock stops while the
// guest is paused, so the host stamps these lines as they arrive instead (limits_vm_freezer.hpp). The next tick
// is due TICK_MS after the last one printed, not on a fixed grid: a clock that jumps gives one tick, no burst.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

#include "workload_args.hpp"
#include "workload_metrics.hpp"

namespace {

constexpr std::size_t words = 32 * 1024;  // 256 KiB of state, touched a chunk at a time
constexpr std::size_t chunk_words = 1024;

long long monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec;
}

// splitmix64's finalizer: every bit of the input reaches every bit of the output.
std::uint64_t mix(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

struct State {
  std::vector<std::uint64_t> memory = std::vector<std::uint64_t>(words);
  std::uint64_t checksum = 0;
  State() {
    for (std::size_t i = 0; i < words; ++i) memory[i] = mix(i);
  }
  // Chunk `n`: rewrites its slice of the memory from what is there, folding every word into the checksum.
  void step(std::uint64_t n) {
    const std::size_t first = (n * chunk_words) % words;
    for (std::size_t i = first; i < first + chunk_words; ++i) {
      memory[i] = mix(memory[i] ^ n);
      checksum = ((checksum << 1) | (checksum >> 63)) ^ memory[i];
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  constexpr const char* usage = "ticker MS [TICK_MS]";
  constexpr long long most_ms = 86'400'000;
  if (argc != 2 && argc != 3) benchrun::workload::parse_single_count(0, argv, 1, most_ms, usage);  // exits 2
  const long long run_ms = benchrun::workload::parse_single_count(2, argv, 1, most_ms, usage);
  // argv + 1: TICK_MS is the one "argument" after it.
  const long long tick_ms = argc == 3 ? benchrun::workload::parse_single_count(2, argv + 1, 1, most_ms, usage) : 0;
  State state;
  const long long started_ns = monotonic_ns();
  const long long until_ns = started_ns + run_ms * 1'000'000LL;
  long long last_ns = started_ns;
  long long max_gap_ns = 0;
  std::uint64_t iterations = 0;
  std::uint64_t iterations_at_gap = 0;
  std::uint64_t ticks = 0;
  long long next_tick_ns = started_ns + tick_ms * 1'000'000LL;
  while (last_ns < until_ns) {
    state.step(iterations++);
    const long long now_ns = monotonic_ns();
    if (tick_ms > 0 && now_ns >= next_tick_ns) {
      std::printf("ticker: tick %llu\n", static_cast<unsigned long long>(++ticks));
      std::fflush(stdout);
      next_tick_ns = now_ns + tick_ms * 1'000'000LL;
    }
    if (now_ns - last_ns > max_gap_ns) {
      max_gap_ns = now_ns - last_ns;
      iterations_at_gap = iterations;
    }
    last_ns = now_ns;
  }
  State replay;
  for (std::uint64_t n = 0; n < iterations; ++n) replay.step(n);
  const bool checksum_ok = replay.checksum == state.checksum &&
                           std::memcmp(replay.memory.data(), state.memory.data(), words * sizeof(std::uint64_t)) == 0;

  const double max_gap_ms = static_cast<double>(max_gap_ns) / 1e6;
  std::printf("ticker: %llu chunks in %.1f ms, largest gap %.3f ms, checksum %s\n",
              static_cast<unsigned long long>(iterations), static_cast<double>(last_ns - started_ns) / 1e6, max_gap_ms,
              checksum_ok ? "right" : "WRONG");
  using benchrun::workload::Better;
  using benchrun::workload::report_metric;
  report_metric("ticker_iterations", static_cast<double>(iterations), "chunks", Better::higher);
  report_metric("ticker_iterations_after_gap", static_cast<double>(iterations - iterations_at_gap), "chunks",
                Better::higher);
  report_metric("ticker_max_gap_ms", max_gap_ms, "ms", Better::lower);
  if (tick_ms > 0) report_metric("ticker_ticks", static_cast<double>(ticks), "ticks", Better::higher);
  report_metric("ticker_checksum_ok", checksum_ok ? 1.0 : 0.0, "bool", Better::higher);
  return checksum_ok ? 0 : 1;
}
