// overhead GROUP [OPTIONS]: the static workloads of `benchrun --suite overhead`, the same binary on every backend.
// Each group measures one kind of cost and reports its figures through BENCHRUN_METRICS_FD (workload_metrics.hpp):
//   cpu [--scale N] [--max-prime N] integer work (sysbench's cpu test, the same loop: primes by trial division
//                                  below --max-prime, 10000 as sysbench's default; one event per pass, 200 x
//                                  scale) and floating-point work (a dependent multiply-add chain)
//   stream [--mib N] [--times N]   STREAM copy/scale/add/triad over three arrays of N MiB each, best of --times
//   latency [--mib N] [--loads N]  a random pointer chase (one cycle through the whole array): ns per load
//   syscalls [--count N]           ns per getppid (raw syscall: no libc cache) and per fstat of an open file
//   ctxsw [--count N]              a pipe ping-pong between two processes on one CPU: ns per switch
//   proc [--count N]               fork+exit and fork+exec (of this static binary) per second
//   disk PATH [--mib N] [--reads N] sequential read and write MB/s and 4 KiB random-read IOPS with O_DIRECT on
//                                  PATH (a file or a block device of at least N MiB)
// The defaults finish in about a second natively, so that guests under TCG stay in bounded time; the suite's
// --full gives sizes that follow the usual rules (STREAM: each array four times the last-level cache).
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "workload_args.hpp"
#include "workload_metrics.hpp"

namespace {

using benchrun::workload::Better;
using benchrun::workload::report_metric;

constexpr int usage_status = benchrun::workload::usage_status;

[[noreturn]] void usage() {
  std::fputs(
      "usage: overhead cpu [--scale N] [--max-prime N] | stream [--mib N] [--times N] |\n"
      "       latency [--mib N] [--loads N] | syscalls [--count N] | ctxsw [--count N] | proc [--count N] |\n"
      "       disk PATH [--mib N] [--reads N]\n",
      stderr);
  std::exit(usage_status);
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "overhead: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

double now_s() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// --NAME N pairs after the group (and its one positional argument, for disk).
struct Options {
  int argc;
  char** argv;
  int first;
  long long get(const char* name, long long fallback, long long minimum, long long maximum) const {
    for (int i = first; i + 1 < argc; i += 2) {
      if (std::strncmp(argv[i], "--", 2) != 0) usage();
      if (std::strcmp(argv[i] + 2, name) != 0) continue;
      errno = 0;
      char* end = nullptr;
      const long long value = std::strtoll(argv[i + 1], &end, 10);
      if (errno != 0 || end == argv[i + 1] || *end != '\0' || value < minimum || value > maximum) {
        std::fprintf(stderr, "overhead: --%s takes a whole number from %lld to %lld\n", name, minimum, maximum);
        std::exit(usage_status);
      }
      return value;
    }
    return fallback;
  }
  void check(const char* const* known) const {
    if ((argc - first) % 2 != 0) usage();
    for (int i = first; i < argc; i += 2) {
      bool found = false;
      for (const char* const* name = known; *name != nullptr; ++name) {
        found = found || (std::strncmp(argv[i], "--", 2) == 0 && std::strcmp(argv[i] + 2, *name) == 0);
      }
      if (!found) usage();
    }
  }
};

// Keeps a value alive past the optimizer.
template <typename T>
void keep(T value) {
  asm volatile("" : : "r"(value) : "memory");
}

// sysbench's cpu test (src/tests/cpu/sb_cpu.c, cpu_execute_event), the same definition of one event written
// the same way, so that our events/s and `sysbench cpu --cpu-max-prime=LIMIT` time the same instructions: for
// every c from 3 below the limit, trial division by l from 2 while l <= sqrt(c) (unsigned 64-bit division, the
// bound a double, compared as sysbench compares it); c is a prime when no l divided it.
unsigned long long primes_pass(unsigned long long limit) {
  unsigned long long count = 0;
  for (unsigned long long c = 3; c < limit; ++c) {
    const double t = std::sqrt(static_cast<double>(c));
    unsigned long long l = 2;
    for (; static_cast<double>(l) <= t; ++l) {
      if (c % l == 0) break;
    }
    if (static_cast<double>(l) > t) ++count;
  }
  return count;
}

int run_cpu(const Options& options) {
  static const char* const known[] = {"scale", "max-prime", nullptr};
  options.check(known);
  const long long scale = options.get("scale", 1, 1, 1'000'000);
  // sysbench's --cpu-max-prime, with its default.
  const auto prime_limit = static_cast<unsigned long long>(options.get("max-prime", 10'000, 3, 1'000'000'000));
  // scale 1: ~0.07 s natively. Guests under TCG emulate every sqrt and multiply-add in software, hundreds of
  // times slower: the suite's quick size is scale 1, --full scale 20.
  const long long events = 200 * scale;
  double started = now_s();
  unsigned long long found = 0;
  for (long long event = 0; event < events; ++event) {
    found += primes_pass(prime_limit);
    keep(found);
  }
  const double int_s = now_s() - started;

  // A dependent chain: each multiply-add waits for the one before, so it times the FP unit's latency
  // (the same on every backend; what differs is what the host takes away).
  const long long flops = 10'000'000 * scale;
  double x = 1.0;
  started = now_s();
  for (long long i = 0; i < flops; ++i) {
    x = x * 0.999999999 + 1e-9;
    keep(x);
  }
  const double float_s = now_s() - started;
  std::printf("cpu: %lld prime events in %.3f s, %lld multiply-adds in %.3f s (%g)\n", events, int_s, flops, float_s,
              x);
  report_metric("cpu_int_ms", int_s * 1e3, "ms", Better::lower);
  report_metric("cpu_int_events_per_s", static_cast<double>(events) / int_s, "events/s", Better::higher);
  report_metric("cpu_float_ms", float_s * 1e3, "ms", Better::lower);
  report_metric("cpu_float_mflops", static_cast<double>(flops) * 2 / float_s / 1e6, "Mflop/s", Better::higher);
  return 0;
}

int run_stream(const Options& options) {
  static const char* const known[] = {"mib", "times", nullptr};
  options.check(known);
  const long long mib = options.get("mib", 32, 1, 1 << 16);
  const long long times = options.get("times", 5, 1, 1000);
  const auto n = static_cast<std::size_t>(mib) * (1 << 20) / sizeof(double);
  auto* a = static_cast<double*>(std::aligned_alloc(64, n * sizeof(double)));
  auto* b = static_cast<double*>(std::aligned_alloc(64, n * sizeof(double)));
  auto* c = static_cast<double*>(std::aligned_alloc(64, n * sizeof(double)));
  if (a == nullptr || b == nullptr || c == nullptr) die("allocate the STREAM arrays");
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = 1.0;
    b[i] = 2.0;
    c[i] = 0.0;
  }
  const double scalar = 3.0;
  double best[4] = {1e30, 1e30, 1e30, 1e30};
  for (long long k = 0; k < times; ++k) {
    double t = now_s();
    // STREAM's copy as the loop it is written as. Without the barrier GCC at -O2 makes the loop a call of
    // memcpy (loop distribution), whose non-temporal stores on large arrays skip the write-allocate the other
    // kernels pay: the copy figure would time glibc's memcpy, not scalar loads and stores like the other three
    // kernels (and like likwid-bench's copy, bench/overhead-accuracy.sh).
    for (std::size_t i = 0; i < n; ++i) {
      c[i] = a[i];
      asm volatile("" : : : "memory");
    }
    keep(c);
    best[0] = std::fmin(best[0], now_s() - t);
    t = now_s();
    for (std::size_t i = 0; i < n; ++i) b[i] = scalar * c[i];
    keep(b);
    best[1] = std::fmin(best[1], now_s() - t);
    t = now_s();
    for (std::size_t i = 0; i < n; ++i) c[i] = a[i] + b[i];
    keep(c);
    best[2] = std::fmin(best[2], now_s() - t);
    t = now_s();
    for (std::size_t i = 0; i < n; ++i) a[i] = b[i] + scalar * c[i];
    keep(a);
    best[3] = std::fmin(best[3], now_s() - t);
  }
  // STREAM's byte counts: copy and scale move two arrays, add and triad three.
  const double array_mb = static_cast<double>(n * sizeof(double)) / 1e6;
  const char* names[] = {"stream_copy_mb_s", "stream_scale_mb_s", "stream_add_mb_s", "stream_triad_mb_s"};
  const double arrays_moved[] = {2, 2, 3, 3};
  for (int kernel = 0; kernel < 4; ++kernel) {
    const double rate = arrays_moved[kernel] * array_mb / best[kernel];
    std::printf("stream: %s %.0f MB/s\n", names[kernel], rate);
    report_metric(names[kernel], rate, "MB/s", Better::higher);
  }
  std::free(a);
  std::free(b);
  std::free(c);
  return 0;
}

// xorshift64*: a fast generator, fixed seed so every backend chases the same cycle.
std::uint64_t next_random(std::uint64_t& state) {
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1DULL;
}

int run_latency(const Options& options) {
  static const char* const known[] = {"mib", "loads", nullptr};
  options.check(known);
  const long long mib = options.get("mib", 64, 1, 1 << 16);
  const long long loads = options.get("loads", 5'000'000, 1000, 1'000'000'000'000LL);
  // One pointer per 64-byte line would waste the array; one per word, Sattolo's shuffle: one cycle through all.
  const auto n = static_cast<std::size_t>(mib) * (1 << 20) / sizeof(std::size_t);
  auto* next = static_cast<std::size_t*>(std::aligned_alloc(64, n * sizeof(std::size_t)));
  if (next == nullptr) die("allocate the pointer-chase array");
  for (std::size_t i = 0; i < n; ++i) next[i] = i;
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  for (std::size_t i = n - 1; i > 0; --i) {
    const std::size_t j = next_random(state) % i;
    const std::size_t swapped = next[i];
    next[i] = next[j];
    next[j] = swapped;
  }
  std::size_t at = 0;
  const double started = now_s();
  for (long long i = 0; i < loads; ++i) at = next[at];
  const double elapsed = now_s() - started;
  keep(at);
  const double ns = elapsed * 1e9 / static_cast<double>(loads);
  std::printf("latency: %.2f ns per load over %lld MiB\n", ns, mib);
  report_metric("memory_latency_ns", ns, "ns", Better::lower);
  std::free(next);
  return 0;
}

int run_syscalls(const Options& options) {
  static const char* const known[] = {"count", nullptr};
  options.check(known);
  const long long count = options.get("count", 500'000, 1, 1'000'000'000'000LL);
  double started = now_s();
  for (long long i = 0; i < count; ++i) keep(syscall(SYS_getppid));
  const double getppid_ns = (now_s() - started) * 1e9 / static_cast<double>(count);

  const int fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open /proc/self/exe");
  struct stat info {};
  started = now_s();
  for (long long i = 0; i < count; ++i) {
    if (::fstat(fd, &info) != 0) die("fstat");
  }
  const double fstat_ns = (now_s() - started) * 1e9 / static_cast<double>(count);
  ::close(fd);
  std::printf("syscalls: getppid %.1f ns, fstat %.1f ns\n", getppid_ns, fstat_ns);
  report_metric("syscall_getppid_ns", getppid_ns, "ns", Better::lower);
  report_metric("syscall_fstat_ns", fstat_ns, "ns", Better::lower);
  return 0;
}

// Both processes on the CPU this one runs on (within its allowed set), so every hand-over is a switch.
void pin_to_current_cpu() {
  const int cpu = sched_getcpu();
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof(set), &set);
}

int run_ctxsw(const Options& options) {
  static const char* const known[] = {"count", nullptr};
  options.check(known);
  const long long count = options.get("count", 50'000, 1, 1'000'000'000'000LL);
  int to_child[2];
  int to_parent[2];
  if (::pipe(to_child) != 0 || ::pipe(to_parent) != 0) die("pipe");
  pin_to_current_cpu();
  const pid_t child = ::fork();
  if (child < 0) die("fork");
  char token = 'x';
  if (child == 0) {
    for (long long i = 0; i < count; ++i) {
      if (::read(to_child[0], &token, 1) != 1 || ::write(to_parent[1], &token, 1) != 1) _exit(1);
    }
    _exit(0);
  }
  const double started = now_s();
  for (long long i = 0; i < count; ++i) {
    if (::write(to_child[1], &token, 1) != 1 || ::read(to_parent[0], &token, 1) != 1) die("ping-pong");
  }
  const double elapsed = now_s() - started;
  int status = 0;
  if (::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) die("the pong side");
  // One round trip is two switches.
  const double ns = elapsed * 1e9 / static_cast<double>(count) / 2;
  std::printf("ctxsw: %.0f ns per switch (%lld round trips)\n", ns, count);
  report_metric("context_switch_ns", ns, "ns", Better::lower);
  return 0;
}

double spawn_rate(long long count, char* exe) {
  const double started = now_s();
  for (long long i = 0; i < count; ++i) {
    const pid_t child = ::fork();
    if (child < 0) die("fork");
    if (child == 0) {
      if (exe != nullptr) {
        char exit_word[] = "exit";
        char* child_argv[] = {exe, exit_word, nullptr};
        ::execv(exe, child_argv);
        _exit(127);
      }
      _exit(0);
    }
    int status = 0;
    if (::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) die("the child");
  }
  return static_cast<double>(count) / (now_s() - started);
}

int run_proc(const Options& options, char* self) {
  static const char* const known[] = {"count", nullptr};
  options.check(known);
  const long long count = options.get("count", 1000, 1, 100'000'000);
  const double fork_rate = spawn_rate(count, nullptr);
  // This binary (static: no loader, no libraries) with `exit`: the cheapest exec there is.
  static char proc_exe[] = "/proc/self/exe";
  char* path = ::access(proc_exe, X_OK) == 0 ? proc_exe : self;
  const double exec_rate = spawn_rate(count / 2 > 0 ? count / 2 : 1, path);
  std::printf("proc: fork+exit %.0f/s, fork+exec %.0f/s\n", fork_rate, exec_rate);
  report_metric("fork_exit_per_s", fork_rate, "1/s", Better::higher);
  report_metric("fork_exec_per_s", exec_rate, "1/s", Better::higher);
  return 0;
}

int run_disk(const Options& options, const char* path) {
  static const char* const known[] = {"mib", "reads", nullptr};
  options.check(known);
  const long long mib = options.get("mib", 64, 1, 1 << 20);
  const long long reads = options.get("reads", 4000, 1, 1'000'000'000);
  const int fd = ::open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
  if (fd < 0) die(path);
  struct stat info {};
  if (::fstat(fd, &info) != 0) die("fstat");
  const auto bytes = static_cast<off_t>(mib) << 20;
  if (S_ISREG(info.st_mode) && info.st_size < bytes) {
    std::fprintf(stderr, "overhead: %s holds %lld bytes, --mib %lld needs %lld\n", path,
                 static_cast<long long>(info.st_size), mib, static_cast<long long>(bytes));
    return 1;
  }
  constexpr std::size_t block = 1 << 20;
  constexpr std::size_t page = 4096;
  auto* buffer = static_cast<unsigned char*>(std::aligned_alloc(page, block));
  if (buffer == nullptr) die("allocate the I/O buffer");
  std::memset(buffer, 0xA5, block);

  // Write first: the figures of a fresh file and of one written by the run before are the same then.
  double started = now_s();
  for (off_t at = 0; at < bytes; at += block) {
    if (::pwrite(fd, buffer, block, at) != static_cast<ssize_t>(block)) die("sequential write");
  }
  if (::fdatasync(fd) != 0) die("fdatasync");
  const double write_mb_s = static_cast<double>(bytes) / 1e6 / (now_s() - started);

  started = now_s();
  for (off_t at = 0; at < bytes; at += block) {
    if (::pread(fd, buffer, block, at) != static_cast<ssize_t>(block)) die("sequential read");
  }
  const double read_mb_s = static_cast<double>(bytes) / 1e6 / (now_s() - started);

  std::uint64_t state = 0xD1B54A32D192ED03ULL;
  const auto pages = static_cast<std::uint64_t>(bytes / page);
  started = now_s();
  for (long long i = 0; i < reads; ++i) {
    const auto at = static_cast<off_t>((next_random(state) % pages) * page);
    if (::pread(fd, buffer, page, at) != static_cast<ssize_t>(page)) die("random read");
  }
  const double iops = static_cast<double>(reads) / (now_s() - started);
  ::close(fd);
  std::free(buffer);
  std::printf("disk: %s seq write %.0f MB/s, seq read %.0f MB/s, 4k random read %.0f IOPS\n", path, write_mb_s,
              read_mb_s, iops);
  report_metric("disk_seq_write_mb_s", write_mb_s, "MB/s", Better::higher);
  report_metric("disk_seq_read_mb_s", read_mb_s, "MB/s", Better::higher);
  report_metric("disk_rand_read_iops", iops, "IOPS", Better::higher);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage();
  const char* group = argv[1];
  if (std::strcmp(group, "exit") == 0) return 0;  // proc's exec target
  if (std::strcmp(group, "disk") == 0) {
    if (argc < 3 || std::strncmp(argv[2], "--", 2) == 0) usage();
    return run_disk(Options{argc, argv, 3}, argv[2]);
  }
  const Options options{argc, argv, 2};
  if (std::strcmp(group, "cpu") == 0) return run_cpu(options);
  if (std::strcmp(group, "stream") == 0) return run_stream(options);
  if (std::strcmp(group, "latency") == 0) return run_latency(options);
  if (std::strcmp(group, "syscalls") == 0) return run_syscalls(options);
  if (std::strcmp(group, "ctxsw") == 0) return run_ctxsw(options);
  if (std::strcmp(group, "proc") == 0) return run_proc(options, argv[0]);
  usage();
}
