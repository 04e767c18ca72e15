// devprobe HOLD_MS: the workload's own side of the devices cgroup. It makes a node of /dev/kmsg (char 1:11,
// outside the allow list) on the first writable mount that lets device nodes open (/dev, /tmp, then /: ours
// has /dev and /tmp nodev, the OCI runtimes a read-only root), opens it write-only and closes it at once
// (nothing is written: kmsg's open for writing asks no permission of its own, so only the devices cgroup can
// refuse it), and writes a byte to /dev/null. It reports the errnos as the workload metrics node_mount_found
// (1 or 0), mknod_errno, open_errno and null_errno (0: it worked), then stays HOLD_MS more so the host can
// read the instance's cgroup while it lives (crun and runc remove it when the init exits).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>

#include "workload_args.hpp"
#include "workload_metrics.hpp"

namespace {

constexpr const char* usage = "devprobe HOLD_MS";
constexpr unsigned kmsg_major = 1;
constexpr unsigned kmsg_minor = 11;

// The first directory where a node can be made and opened as far as the mount is concerned.
const char* node_directory() {
  for (const char* dir : {"/dev", "/tmp", "/"}) {
    struct statvfs info {};
    if (statvfs(dir, &info) == 0 && (info.f_flag & (ST_NODEV | ST_RDONLY)) == 0 && access(dir, W_OK) == 0) return dir;
  }
  return nullptr;
}

// 0 when the call worked, else its errno.
int errno_of(int result) { return result < 0 ? errno : 0; }

int open_and_close(const char* path, int flags) {
  const int fd = open(path, flags | O_CLOEXEC);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

int write_a_byte(const char* path) {
  const int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int result = errno_of(static_cast<int>(write(fd, "x", 1)));
  close(fd);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  const long long hold_ms = benchrun::workload::parse_single_count(argc, argv, 0, 3'600'000, usage);
  using benchrun::workload::Better;
  using benchrun::workload::report_metric;
  const char* dir = node_directory();
  report_metric("node_mount_found", dir != nullptr ? 1 : 0, "bool", Better::higher);
  if (dir == nullptr) {
    std::printf("devprobe: no writable mount without nodev among /dev, /tmp and /\n");
  } else {
    const std::string node = std::string(dir == std::string("/") ? "" : dir) + "/benchrun-devprobe-kmsg";
    unlink(node.c_str());
    const int mknod_errno = errno_of(mknod(node.c_str(), S_IFCHR | 0600, makedev(kmsg_major, kmsg_minor)));
    const int open_errno = mknod_errno == 0 ? open_and_close(node.c_str(), O_WRONLY) : mknod_errno;
    if (mknod_errno == 0) unlink(node.c_str());
    std::printf("devprobe: mknod %s (c %u:%u): %s; open for writing: %s\n", node.c_str(), kmsg_major, kmsg_minor,
                std::strerror(mknod_errno), std::strerror(open_errno));
    report_metric("mknod_errno", mknod_errno, "errno", Better::lower);
    report_metric("open_errno", open_errno, "errno", Better::lower);
  }
  const int null_errno = write_a_byte("/dev/null");
  std::printf("devprobe: write to /dev/null: %s\n", std::strerror(null_errno));
  report_metric("null_errno", null_errno, "errno", Better::lower);
  std::fflush(stdout);
  timespec hold{static_cast<time_t>(hold_ms / 1000), static_cast<long>(hold_ms % 1000) * 1'000'000L};
  while (nanosleep(&hold, &hold) != 0 && errno == EINTR) {
  }
  return 0;
}
