// ioprobe PATH BLOCK_BYTES RUN_MS HOLD_MS: the workload's own side of an I/O throttle. Reads PATH (a file or a
// block device, e.g. a guest's /dev/vda, of at least one block) with O_DIRECT, BLOCK_BYTES at a time from the start and
// round again at its end, for RUN_MS, and reports what it got as the workload metrics read_bytes, reads, run_ms,
// read_bytes_per_s and read_iops. Then it stays HOLD_MS more so the host reads the instance's cgroup after the last
// read even where the runtime removes it when the init exits (crun, runc).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "workload_args.hpp"
#include "workload_metrics.hpp"

namespace {

constexpr const char* usage = "ioprobe PATH BLOCK_BYTES RUN_MS HOLD_MS";
constexpr long long page = 4096;

long long argument(char* text, long long minimum, long long maximum) {
  char* argv[] = {const_cast<char*>("ioprobe"), text, nullptr};
  return benchrun::workload::parse_single_count(2, argv, minimum, maximum, usage);
}

double now_ms() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

void sleep_ms(long long ms) {
  timespec rest{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1'000'000L};
  while (nanosleep(&rest, &rest) != 0 && errno == EINTR) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s\n", usage);
    return benchrun::workload::usage_status;
  }
  const char* path = argv[1];
  const long long block = argument(argv[2], page, 64LL << 20);
  const long long run_ms = argument(argv[3], 1, 3'600'000);
  const long long hold_ms = argument(argv[4], 0, 3'600'000);
  if (block % page != 0) {
    std::fprintf(stderr, "ioprobe: BLOCK_BYTES %lld is not a multiple of %lld (O_DIRECT)\n", block, page);
    return benchrun::workload::usage_status;
  }
  const int fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
  if (fd < 0) {
    std::fprintf(stderr, "ioprobe: open %s with O_DIRECT: %s\n", path, std::strerror(errno));
    return 1;
  }
  // The size from the end's offset: a block device's st_size is 0.
  const off_t size = lseek(fd, 0, SEEK_END);
  if (size < block) {
    std::fprintf(stderr, "ioprobe: %s holds less than one block of %lld bytes\n", path, block);
    return 1;
  }
  const long long blocks_in_file = static_cast<long long>(size) / block;
  void* buffer = std::aligned_alloc(page, static_cast<size_t>(block));
  if (buffer == nullptr) {
    std::fputs("ioprobe: cannot allocate the buffer\n", stderr);
    return 1;
  }
  long long reads = 0;
  const double started = now_ms();
  double elapsed = 0;
  while (elapsed < static_cast<double>(run_ms)) {
    const off_t at = static_cast<off_t>((reads % blocks_in_file) * block);
    const ssize_t got = pread(fd, buffer, static_cast<size_t>(block), at);
    if (got != static_cast<ssize_t>(block)) {
      std::fprintf(stderr, "ioprobe: read %lld bytes at %lld of %s: %s\n", block, static_cast<long long>(at), path,
                   got < 0 ? std::strerror(errno) : "short read");
      return 1;
    }
    ++reads;
    elapsed = now_ms() - started;
  }
  const double read_bytes = static_cast<double>(reads) * static_cast<double>(block);
  std::printf("ioprobe: %lld reads of %lld bytes in %.0f ms: %.0f bytes/s, %.1f IOPS\n", reads, block, elapsed,
              read_bytes / elapsed * 1e3, static_cast<double>(reads) / elapsed * 1e3);
  using benchrun::workload::Better;
  using benchrun::workload::report_metric;
  report_metric("read_bytes", read_bytes, "bytes", Better::higher);
  report_metric("reads", static_cast<double>(reads), "count", Better::higher);
  report_metric("run_ms", elapsed, "ms", Better::lower);
  report_metric("read_bytes_per_s", read_bytes / elapsed * 1e3, "bytes/s", Better::higher);
  report_metric("read_iops", static_cast<double>(reads) / elapsed * 1e3, "IOPS", Better::higher);
  std::fflush(stdout);
  sleep_ms(hold_ms);
  return 0;
}
