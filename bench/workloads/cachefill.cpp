// cachefill PATH MIB HOLD_MS: the workload's own side of a memory limit on page cache. Writes MIB MiB to the
// new file PATH through the page cache (no O_DIRECT, no sync: dirty and clean file pages the memory cgroup
// must reclaim to stay under its limit, as the kernel selftest's alloc_pagecache_max_30M), reports
// written_bytes and write_errno (0: every write went through), then stays HOLD_MS so the host reads the
// instance's cgroup with the pages still charged, even where the runtime removes it when the init exits.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "workload_args.hpp"
#include "workload_metrics.hpp"

namespace {

constexpr const char* usage = "cachefill PATH MIB HOLD_MS";

long long argument(char* text, long long minimum, long long maximum) {
  char* argv[] = {const_cast<char*>("cachefill"), text, nullptr};
  return benchrun::workload::parse_single_count(2, argv, minimum, maximum, usage);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s\n", usage);
    return benchrun::workload::usage_status;
  }
  const char* path = argv[1];
  const long long mebibytes = argument(argv[2], 1, 1LL << 20);
  const long long hold_ms = argument(argv[3], 0, 3'600'000);
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::fprintf(stderr, "cachefill: create %s: %s\n", path, std::strerror(errno));
    return 1;
  }
  static char block[1 << 16];
  std::memset(block, 0x5A, sizeof block);
  const long long wanted = mebibytes << 20;
  long long written = 0;
  int write_errno = 0;
  while (written < wanted) {
    const ssize_t done = write(fd, block, sizeof block);
    if (done < 0) {
      if (errno == EINTR) continue;
      write_errno = errno;
      break;
    }
    written += done;
  }
  std::printf("cachefill: wrote %lld of %lld bytes to %s%s%s\n", written, wanted, path, write_errno ? ": " : "",
              write_errno ? std::strerror(write_errno) : "");
  using benchrun::workload::Better;
  benchrun::workload::report_metric("written_bytes", static_cast<double>(written), "bytes", Better::higher);
  benchrun::workload::report_metric("write_errno", write_errno, "errno", Better::lower);
  std::fflush(stdout);
  timespec hold{static_cast<time_t>(hold_ms / 1000), static_cast<long>(hold_ms % 1000) * 1'000'000L};
  while (nanosleep(&hold, &hold) != 0 && errno == EINTR) {
  }
  return write_errno == 0 ? 0 : 1;
}
