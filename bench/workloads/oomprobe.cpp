// oomprobe MB HOLD_MS: the workload's own side of a memory limit. A child touches MB MiB (as hog does); the
// parent waits for it and reports how it ended as the workload metrics hog_signal (9 when the OOM killer took
// it, 0 when it exited) and hog_exit_code, then stays HOLD_MS more so the host can read the instance's cgroup
// after the kill even where the runtime removes it when the init exits (crun, runc).
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "workload_args.hpp"
#include "workload_metrics.hpp"

namespace {

constexpr const char* usage = "oomprobe MB HOLD_MS";

long long argument(char* text, long long maximum) {
  char* argv[] = {const_cast<char*>("oomprobe"), text, nullptr};
  return benchrun::workload::parse_single_count(2, argv, 0, maximum, usage);
}

[[noreturn]] void touch(size_t bytes) {
  // MAP_NORESERVE: the kernel's overcommit heuristic would refuse a mapping larger than the RAM up front (a
  // guest's limit is its RAM), and the hog would exit 1 instead of meeting the OOM killer. A cgroup's limit
  // charges pages when touched either way.
  void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (memory == MAP_FAILED) {
    std::perror("oomprobe: mmap");
    _exit(1);
  }
  volatile char* bytes_view = static_cast<volatile char*>(memory);
  const auto page_size = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  for (size_t offset = 0; offset < bytes; offset += page_size) bytes_view[offset] = 1;
  _exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s\n", usage);
    return benchrun::workload::usage_status;
  }
  const long long mebibytes = argument(argv[1], 1LL << 20);
  const long long hold_ms = argument(argv[2], 3'600'000);
  const pid_t hog = fork();
  if (hog < 0) {
    std::perror("oomprobe: fork");
    return 1;
  }
  if (hog == 0) touch(static_cast<size_t>(mebibytes) << 20);
  int status = 0;
  while (waitpid(hog, &status, 0) < 0) {
    if (errno != EINTR) {
      std::perror("oomprobe: waitpid");
      return 1;
    }
  }
  const int hog_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  const int hog_exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::printf("oomprobe: the %lld MiB hog %s %d\n", mebibytes, hog_signal ? "was killed by signal" : "exited",
              hog_signal ? hog_signal : hog_exit_code);
  using benchrun::workload::Better;
  benchrun::workload::report_metric("hog_signal", hog_signal, "signal", Better::lower);
  benchrun::workload::report_metric("hog_exit_code", hog_exit_code, "code", Better::lower);
  timespec hold{static_cast<time_t>(hold_ms / 1000), static_cast<long>(hold_ms % 1000) * 1'000'000L};
  while (nanosleep(&hold, &hold) != 0 && errno == EINTR) {
  }
  return 0;
}
