#include "vm/qemu_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "sys/error.hpp"
#include "sys/retry.hpp"
#include "vm/console.hpp"

namespace benchrun::vm {
namespace {

std::optional<std::string> read_small_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::optional<pid_t> pid_from_proc_scan(const std::string& name) {
  const std::string needle = fmt::format("guest={},", name);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string pid_text = entry.path().filename().string();
    if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto cmdline = read_small_file(entry.path() / "cmdline");
    if (!cmdline || cmdline->find("qemu-system") == std::string::npos) continue;
    // argv is NUL-separated: "-name\0guest=<name>,debug-threads=on".
    if (cmdline->find(needle) != std::string::npos) return static_cast<pid_t>(std::stol(pid_text));
  }
  return std::nullopt;
}

}  // namespace

void become_child_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) sys::throw_errno("prctl PR_SET_CHILD_SUBREAPER");
}

std::optional<pid_t> find_qemu_pid(const std::string& name, const std::optional<std::filesystem::path>& embed_root) {
  if (embed_root) {
    if (const auto text = read_small_file(*embed_root / "run" / "qemu" / (name + ".pid"))) {
      try {
        const long pid = std::stol(*text);
        if (pid > 0) return static_cast<pid_t>(pid);
      } catch (const std::exception&) {
        // A pidfile being written: fall back to /proc.
      }
    }
  }
  return pid_from_proc_scan(name);
}

std::optional<std::uint64_t> pss_bytes(pid_t pid) {
  const auto rollup = read_small_file(fmt::format("/proc/{}/smaps_rollup", pid));
  if (!rollup) return std::nullopt;
  std::istringstream lines(*rollup);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("Pss:", 0) == 0) {
      std::istringstream fields(line.substr(4));
      std::uint64_t kib = 0;
      fields >> kib;
      return kib * 1024;
    }
  }
  return std::nullopt;
}

int reap_qemu_zombies() noexcept {
  const pid_t self = ::getpid();
  int reaped = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string pid_text = entry.path().filename().string();
    if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto stat = read_small_file(entry.path() / "stat");
    if (!stat) continue;
    // "<pid> (<comm>) <state> <ppid> ...": comm may hold spaces, so split at the last ')'.
    const auto open = stat->find('(');
    const auto close = stat->rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 4 > stat->size()) continue;
    const std::string comm = stat->substr(open + 1, close - open - 1);
    std::istringstream rest(stat->substr(close + 2));
    char state = 0;
    pid_t parent = 0;
    rest >> state >> parent;
    if (state != 'Z' || parent != self || comm.rfind("qemu-system", 0) != 0) continue;
    const auto pid = static_cast<pid_t>(std::stol(pid_text));
    if (::waitpid(pid, nullptr, WNOHANG) == pid) ++reaped;
  }
  return reaped;
}

QemuZombieReaper::QemuZombieReaper() {
  int subreaper = 0;
  if (::prctl(PR_GET_CHILD_SUBREAPER, &subreaper, 0, 0, 0) < 0 || subreaper == 0) return;
  sys::Pipe wake = sys::make_pipe();
  wake_read_ = std::move(wake.read_end);
  wake_write_ = std::move(wake.write_end);
  thread_ = std::thread([this] { run(); });
}

QemuZombieReaper::~QemuZombieReaper() {
  if (!thread_.joinable()) return;
  const char byte = 0;
  [[maybe_unused]] const auto written = ::write(wake_write_.get(), &byte, 1);
  thread_.join();
}

void QemuZombieReaper::run() noexcept {
  pollfd wake{wake_read_.get(), POLLIN, 0};
  constexpr int scan_interval_ms = 10;
  while (sys::retry_eintr([&] { return ::poll(&wake, 1, scan_interval_ms); }) == 0) reap_qemu_zombies();
}

QemuReaper::QemuReaper(pid_t pid) : pid_(pid) {
  pidfd_.reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd_) {
    if (errno != ESRCH) sys::throw_errno(fmt::format("pidfd_open QEMU pid {}", pid));
    exited_at_ = sys::monotonic_now();
    return;
  }
  sys::Pipe wake = sys::make_pipe();
  wake_read_ = std::move(wake.read_end);
  wake_write_ = std::move(wake.write_end);
  sys::Pipe recorded = sys::make_pipe();
  recorded_read_ = std::move(recorded.read_end);
  recorded_write_ = std::move(recorded.write_end);
  thread_ = std::thread([this] { watch(); });
}

QemuReaper::~QemuReaper() {
  if (thread_.joinable()) {
    const char byte = 0;
    [[maybe_unused]] const auto written = ::write(wake_write_.get(), &byte, 1);
    thread_.join();
  }
}

void QemuReaper::watch() noexcept {
  std::array<pollfd, 2> fds{{{pidfd_.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}}};
  if (sys::retry_eintr([&] { return ::poll(fds.data(), fds.size(), -1); }) < 0) return;
  if (fds[0].revents == 0) return;  // asked to stop while QEMU still runs
  exited_at_.store(sys::monotonic_now());
  // Reap it if it is ours; ECHILD means someone else (PID 1, libvirtd) is its parent: nothing to do.
  // The raw waitid also returns the rusage, which glibc's wrapper drops.
  siginfo_t info{};
  rusage usage{};
  const long reaped =
      sys::retry_eintr([&] { return ::syscall(SYS_waitid, P_PIDFD, pidfd_.get(), &info, WEXITED, &usage); });
  if (reaped == 0) {
    max_rss_bytes_.store(static_cast<std::uint64_t>(usage.ru_maxrss) * 1024);
    cpu_time_ns_.store(sys::to_ns(usage.ru_utime) + sys::to_ns(usage.ru_stime));
  }
  const char byte = 0;
  [[maybe_unused]] const auto written = ::write(recorded_write_.get(), &byte, 1);
}

std::optional<QemuReaper::Usage> QemuReaper::usage() const noexcept {
  const std::uint64_t cpu = cpu_time_ns_.load();
  if (cpu == 0) return std::nullopt;
  return Usage{cpu, max_rss_bytes_.load()};
}

bool QemuReaper::wait_exit(sys::MonotonicNs deadline) const {
  if (!thread_.joinable()) return exited_at() != 0;  // QEMU was gone before we watched it
  // Wait for the watcher's record, not for the pidfd: it is what makes exited_at() non-zero.
  pollfd entry{recorded_read_.get(), POLLIN, 0};
  while (sys::monotonic_now() < deadline) {
    if (sys::retry_eintr([&] { return ::poll(&entry, 1, sys::poll_timeout_ms(deadline)); }) < 0)
      sys::throw_errno("poll QEMU reaper");
    if (entry.revents != 0) return true;
  }
  return exited_at() != 0;
}

}  // namespace benchrun::vm
