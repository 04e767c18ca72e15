#include "vm/qemu_process.hpp"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <sstream>

#include <fmt/format.h>

#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "sys/wait.hpp"

namespace benchrun::vm {
namespace {

std::optional<pid_t> pid_from_proc_scan(const std::string& name) {
  const std::string needle = fmt::format("guest={},", name);
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string pid_text = entry.path().filename().string();
    if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto cmdline = sys::read_file_if_present(entry.path() / "cmdline");
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
    if (const auto text = sys::read_file_if_present(*embed_root / "run" / "qemu" / (name + ".pid"))) {
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
  const auto rollup = sys::read_file_if_present(fmt::format("/proc/{}/smaps_rollup", pid));
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
    std::optional<std::string> stat;
    try {
      stat = sys::read_file_if_present(entry.path() / "stat");
    } catch (const sys::Error&) {  // NOLINT(bugprone-empty-catch): never throws; the next scan tries again
    }
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
  constexpr sys::MonotonicNs scan_interval = 10'000'000;
  try {
    while (sys::wait_any_readable({}, sys::monotonic_now() + scan_interval, wake_read_.get(), {},
                                  "QEMU zombie reaper") == sys::WaitEnd::deadline) {
      reap_qemu_zombies();
    }
  } catch (const sys::Error&) {  // NOLINT(bugprone-empty-catch): a failed poll ends the scans; nothing else to do
  }
}

QemuReaper::QemuReaper(pid_t pid) : pid_(pid) {
  try {
    qemu_ = sys::ChildProcess::open(pid, sys::ChildProcess::Ownership::watched);
  } catch (sys::SystemError& error) {
    if (error.code() != ESRCH) {
      error.add_context("QEMU");
      throw;
    }
    exited_at_ = sys::monotonic_now();  // gone before we watched it
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
  try {
    // Reaps it the moment it exits if it is our child; when someone else (PID 1, libvirtd) is its parent
    // its exit is seen all the same, without a usage.
    const sys::ChildProcess::ExitStatus& exit = qemu_.wait(sys::kNoDeadline, wake_read_.get(), "watch QEMU");
    if (const auto& usage = qemu_.usage()) {
      max_rss_bytes_.store(usage->max_rss_bytes);
      cpu_time_ns_.store(usage->cpu_time_ns);
    }
    exited_at_.store(exit.at);
  } catch (const sys::Error&) {
    return;  // asked to stop while QEMU still runs (Interrupted), or the wait failed
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
  const std::array<int, 1> fds{recorded_read_.get()};
  std::array<bool, 1> readable{};
  return sys::wait_any_readable(fds, deadline, -1, readable, "wait for QEMU's exit") == sys::WaitEnd::readable ||
         exited_at() != 0;
}

}  // namespace benchrun::vm
