// One benchrun guest: a transient libvirt domain booting the image's kernel and initramfs straight into
// benchinit, its console read line by line, its phases and resource use, and its teardown.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sys/clock.hpp"
#include "sys/console_lines.hpp"
#include "vm/accelerator.hpp"
#include "vm/connection.hpp"
#include "vm/domain_xml.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::vm {

// A guest's NIC (the network cases): a virtio NIC on a persistent tap that benchrun made in a network
// namespace of its own (runtime::net::TapDevice), never in the host's. The domain is created from a thread
// that joined that namespace, so libvirt finds the tap there and QEMU, spawned from that thread, lives
// there too: nothing of the guest's network touches the host's namespace.
struct GuestNic {
  std::string tap;         // the tap's name in that namespace
  std::string netns_path;  // a path that opens the namespace (/proc/<pid>/fd/<n>)
  // The guest's IPv4 address and prefix, "192.0.2.2/30": benchinit gives it to the NIC
  // (benchrun.net=<address>/<prefix> on the kernel command line) before the workload runs.
  std::string address;
};

struct GuestConfig {
  std::string name;              // benchrun-<run>-<n>: the domain name
  std::filesystem::path kernel;  // copies in the run's state dir (see boot_files.hpp)
  std::filesystem::path initramfs;
  // KVM only where it was found to work (see accelerator.hpp): libvirt offering domain type kvm is not
  // enough.
  Accelerator accelerator = Accelerator::tcg;
  // The emulator wrapper (emulator_wrapper.hpp) staged where QEMU's user reaches it: stamps the qemu_exec
  // phase. Empty: libvirt's default QEMU, and no qemu_exec phase. Only with an embedded driver, whose
  // domain log benchrun reads.
  std::filesystem::path emulator;
  unsigned vcpus = 1;
  std::uint64_t memory_mib = 256;
  std::vector<std::string> workload_argv;         // e.g. {"/bench/bin/hello"}
  std::vector<std::string> extra_cmdline;         // more kernel parameters
  std::vector<std::filesystem::path> disk_files;  // raw files attached as virtio disks (see DomainSpec)
  // fifo on local connections (fastest, loses nothing), pty + virDomainOpenConsole otherwise.
  std::optional<ConsoleKind> console;
  std::filesystem::path state_dir;  // the run's state dir: the console fifo lives here
  // Non-empty: the guest writes its /results folder as a tar into this host file (a ResultsFile in the run's
  // state dir, see guest_results.hpp) through the results port, and benchinit is told so on the kernel
  // command line. Read it once the guest has exited.
  std::filesystem::path results_file;
  // How benchinit mounts cgroups in the guest; nullopt: nothing at /sys/fs/cgroup (no boot cost).
  std::optional<CgroupLayout> cgroup_layout;
  // Bytes of swap benchinit gives the guest (a zram device, benchrun.swap=); nullopt: none (no boot cost).
  std::optional<std::uint64_t> swap_bytes;
  // A NIC on a tap in a namespace of benchrun's; nullopt: no network device at all (no boot cost).
  std::optional<GuestNic> nic;
  // The guest's limits as libvirt tunables (tunables.hpp). A CPU quota needs a connection whose driver makes
  // cgroups (Connection::open with EmbedCgroups::on).
  DomainTunables tunables;
  std::chrono::milliseconds teardown_timeout{10'000};
};

// The domain's state as libvirt reports it (virDomainGetState): a virDomainState (VIR_DOMAIN_RUNNING 1,
// VIR_DOMAIN_PAUSED 3, ...) and its reason (e.g. VIR_DOMAIN_PAUSED_USER 1, after virDomainSuspend).
struct DomainRunState {
  int state = 0;  // VIR_DOMAIN_NOSTATE: not read
  int reason = 0;
};

struct GuestStats {
  std::optional<std::uint64_t> cpu_time_ns;         // guest vCPUs + QEMU threads (virDomainGetInfo)
  std::optional<std::uint64_t> memory_max_bytes;    // the guest's configured memory
  std::optional<std::uint64_t> memory_rss_bytes;    // QEMU's RSS (virDomainMemoryStats)
  std::optional<std::uint64_t> qemu_pss_bytes;      // QEMU's PSS (/proc/<pid>/smaps_rollup), local only
  std::optional<std::uint64_t> qemu_max_rss_bytes;  // QEMU's peak RSS, from its rusage once reaped
  sys::MonotonicNs sampled_at = 0;
};

class Guest {
 public:
  // Builds the XML, creates the domain with VIR_DOMAIN_START_AUTODESTROY (a benchrun that dies closes the
  // connection and takes its guests along) and opens the console. On failure nothing is left running.
  // Errors read "guest <name>: ..."; KVM asked of a connection that offers only TCG is one of them.
  static Guest start(Connection& connection, const GuestConfig& config);

  Guest(Guest&&) noexcept;
  Guest& operator=(Guest&&) noexcept;
  ~Guest();  // destroy(), errors swallowed

  [[nodiscard]] const std::string& name() const noexcept;
  // "kvm" or "qemu" (TCG).
  [[nodiscard]] const std::string& domain_type() const noexcept;
  [[nodiscard]] const std::string& xml() const noexcept;
  [[nodiscard]] std::optional<pid_t> qemu_pid() const noexcept;

  // The next console line, stamped on arrival; nullopt once the console closed (QEMU exited).
  // Throws Timeout at `deadline`, Interrupted when `wake_fd` becomes readable. What the lines mean is the
  // caller's business (see mark_phase, stats).
  std::optional<sys::ConsoleLine> next_line(sys::MonotonicNs deadline, int wake_fd = -1);
  // Waits until QEMU has exited (the guest powered off), reading the console meanwhile: lines not read
  // by then are dropped, so a caller that judges lines reads to the end first. Returns when.
  // Throws Timeout / Interrupted.
  sys::MonotonicNs wait_exit(sys::MonotonicNs deadline, int wake_fd = -1);

  // A phase the caller stamped from what it read on the console (the harness: ready, result), listed by
  // phases() with the guest's own.
  void mark_phase(std::string name, sys::MonotonicNs at);
  // Absolute CLOCK_MONOTONIC timestamps, each taken when it happened, in the order they happened:
  // xml_built, qemu_exec (stamped by the emulator wrapper just before it execs QEMU; only with one),
  // create_returned, first_console_output (first byte on ttyS0: SeaBIOS's banner), the marked phases,
  // qemu_exited, teardown_done. A phase that could not be stamped is left out.
  [[nodiscard]] std::vector<std::pair<std::string, sys::MonotonicNs>> phases() const;
  // Samples now while the guest runs; afterwards the last sample taken while it ran, with QEMU's CPU time
  // and peak RSS from its rusage. A caller that knows the guest is about to power off (the harness, at
  // the workload's RESULT line) calls it then, so that sample is the workload's.
  GuestStats stats();
  // Starts watching the host's side of the guest's limits (tunables_view.hpp) while it runs; nullptr where
  // QEMU is not local (no pid, no /proc). Destroy the watch before the guest.
  std::unique_ptr<TunablesWatch> watch_tunables();

  // Pauses the guest where it is (virDomainSuspend: QEMU stops its vCPUs, the guest's memory and devices stay)
  // and returns once libvirt reads it paused; resume() lets it run on (virDomainResume) and returns once libvirt
  // reads it running. Throw Error when libvirt refuses (naming the state it reads), Timeout at `deadline`.
  // destroy() removes a paused guest as it does a running one.
  void suspend(sys::MonotonicNs deadline);
  void resume(sys::MonotonicNs deadline);
  // libvirt's state of the domain now; state 0 (no state) once it is gone.
  [[nodiscard]] DomainRunState run_state() const;

  // Destroys the domain (and undefines it if it was ever made persistent), waits for QEMU to be gone and
  // reaped, removes the console fifo. Idempotent. Throws if the domain could not be destroyed.
  void destroy();

  struct State;

 private:
  explicit Guest(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace benchrun::vm
