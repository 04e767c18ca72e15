// The QEMU process behind a domain, seen from the host: finding its pid, its memory (PSS), and reaping it.
//
// Why reaping matters: libvirt daemonizes QEMU, so QEMU's parent is the nearest subreaper, usually PID 1.
// virDomainDestroy kills QEMU and then polls kill(pid, 0) every 200 ms until the process is gone, and a
// zombie is not gone. PID 1 of the machines benchrun runs on reaps orphans only about every 2 s, so every
// destroy took ~2 s. With benchrun as child subreaper, QEMU becomes benchrun's child and a QemuReaper
// reaps it the moment it exits: destroy takes ~0.2 s.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "sys/child_process.hpp"
#include "sys/clock.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::vm {

// Makes this process the child subreaper of its descendants (prctl PR_SET_CHILD_SUBREAPER). Call once at
// startup, before any guest starts. Then reap only pids you know: a QemuReaper does it for QEMU.
void become_child_subreaper();

// The pid of the QEMU process running domain `name`: from the embedded driver's pidfile
// (<root>/run/qemu/<name>.pid) when `embed_root` is given, else by looking in /proc for a
// qemu-system process with "-name guest=<name>,". nullopt when none is found.
std::optional<pid_t> find_qemu_pid(const std::string& name, const std::optional<std::filesystem::path>& embed_root);

// Proportional set size of a process (/proc/<pid>/smaps_rollup), nullopt if it is gone.
std::optional<std::uint64_t> pss_bytes(pid_t pid);

// While it exists, reaps every exited QEMU that is this process's child: zombies whose parent is us and
// whose name starts with "qemu-system" (found in /proc every 10 ms). For the QEMUs libvirt starts and
// stops inside one call, whose pid we never learn: the capability probes run during virConnectOpen /
// virConnectGetCapabilities (and during virDomainCreateXML when QEMU changed). Unreaped, each probe made
// libvirt wait 40 s for a zombie to go. Does nothing unless we are a child subreaper; never reaps any
// other child.
class QemuZombieReaper {
 public:
  QemuZombieReaper();
  ~QemuZombieReaper();
  QemuZombieReaper(const QemuZombieReaper&) = delete;
  QemuZombieReaper& operator=(const QemuZombieReaper&) = delete;

 private:
  void run() noexcept;

  sys::UniqueFd wake_read_;
  sys::UniqueFd wake_write_;
  std::thread thread_;
};

// Reaps, once, the QEMU zombies that are our children; returns how many.
int reap_qemu_zombies() noexcept;

// Watches one QEMU process through a pidfd: reaps it the moment it exits when it is our child (we are
// its subreaper), and records when it exited either way. Never touches any other child.
class QemuReaper {
 public:
  explicit QemuReaper(pid_t pid);  // throws if the pidfd cannot be opened (process already gone is fine)
  ~QemuReaper();                   // stops watching; a QEMU still alive is left alone
  QemuReaper(const QemuReaper&) = delete;
  QemuReaper& operator=(const QemuReaper&) = delete;

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  // When QEMU exited (0 while it runs).
  [[nodiscard]] sys::MonotonicNs exited_at() const noexcept { return exited_at_.load(); }
  // QEMU's rusage when benchrun reaped it: its whole CPU time (user + system, every thread, boot
  // included) and its peak RSS. nullopt while it runs or when another process was its parent.
  struct Usage {
    std::uint64_t cpu_time_ns = 0;
    std::uint64_t max_rss_bytes = 0;
  };
  [[nodiscard]] std::optional<Usage> usage() const noexcept;
  // Waits until QEMU has exited and the watcher has recorded it, or `deadline` passes; true if it exited.
  bool wait_exit(sys::MonotonicNs deadline) const;

 private:
  void watch() noexcept;

  pid_t pid_;
  sys::ChildProcess qemu_;  // watched: its life is libvirt's
  sys::UniqueFd wake_read_;
  sys::UniqueFd wake_write_;
  sys::UniqueFd recorded_read_;  // readable once watch() recorded the exit (exited_at_, the usage)
  sys::UniqueFd recorded_write_;
  std::atomic<sys::MonotonicNs> exited_at_{0};
  std::atomic<std::uint64_t> cpu_time_ns_{0};  // written before recorded_write_, read after it
  std::atomic<std::uint64_t> max_rss_bytes_{0};
  std::thread thread_;
};

}  // namespace benchrun::vm
