// The host's side of a guest's limits, read independently of what benchrun asked for: libvirt's read-back
// of the tunables (virDomainGetSchedulerParameters, virDomainGetVcpuPinInfo, virDomainGetEmulatorPinInfo)
// and the kernel's own view of QEMU's threads (the vCPU threads' cgroup files found through
// /proc/<pid>/task/<tid>/cgroup, their CPU time in /proc/.../schedstat, every thread's affinity in
// /proc/.../status and the CPU it ran on in /proc/.../stat, polled while the guest runs).
//
// The guest's first disk (vda, the limits suite's scratch disk) as QEMU throttles and counts it: libvirt's
// read-back of its <iotune> (virDomainGetBlockIoTune, at read_now) and its read counters (virDomainBlockStats,
// polled with the threads), from which the steady reading window is taken (steady_block_reads).
//
// The figures travel to the limits suite as named numbers (Instance::host_limits_view), keyed by the names
// below; CPU sets are bit masks (bit n: host CPU n), as the affinity probe reports them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace benchrun::vm {

namespace view_key {
inline constexpr const char* sched_vcpu_quota_us = "libvirt.vcpu_quota_us";  // absent: no quota (-1 or 0)
inline constexpr const char* sched_vcpu_period_us = "libvirt.vcpu_period_us";
inline constexpr const char* vcpu_pin_mask = "libvirt.vcpupin_mask";  // union over the vCPUs
inline constexpr const char* emulator_pin_mask = "libvirt.emulatorpin_mask";
inline constexpr const char* cgroup_quota_us = "cgroup.vcpu.cfs_quota_us";  // absent: -1 (unlimited)
inline constexpr const char* cgroup_period_us = "cgroup.vcpu.cfs_period_us";
inline constexpr const char* nr_periods = "cgroup.vcpu.nr_periods";  // summed over the vCPUs' cgroups
inline constexpr const char* nr_throttled = "cgroup.vcpu.nr_throttled";
inline constexpr const char* cgroup_cpuset_mask = "cgroup.vcpu.cpuset_effective_mask";
inline constexpr const char* vcpu_threads = "proc.vcpu_threads";
inline constexpr const char* vcpu_cpu_ns = "proc.vcpu_cpu_ns";         // the vCPU threads' time on a CPU (schedstat)
inline constexpr const char* vcpu_alive_ns = "proc.vcpu_alive_ns";     // from the first poll to the last
inline constexpr const char* allowed_mask = "proc.cpus_allowed_mask";  // union over every QEMU thread
inline constexpr const char* allowed_uniform = "proc.cpus_allowed_uniform";  // 1: every thread the same mask
inline constexpr const char* ran_on_mask = "proc.ran_on_mask";               // CPUs QEMU's threads were seen running on
inline constexpr const char* polls = "proc.polls";
inline constexpr const char* qemu_hwm_bytes = "proc.qemu_vmhwm_bytes";         // QEMU's peak RSS (VmHWM)
inline constexpr const char* guest_memory_bytes = "libvirt.max_memory_bytes";  // the guest's RAM
// vda's <iotune> read back (absent: not set, 0); and its read counters (absent: no disk).
inline constexpr const char* iotune_read_bytes_sec = "libvirt.vda.iotune.read_bytes_sec";
inline constexpr const char* iotune_read_iops_sec = "libvirt.vda.iotune.read_iops_sec";
inline constexpr const char* iotune_read_bytes_sec_max = "libvirt.vda.iotune.read_bytes_sec_max";
inline constexpr const char* iotune_read_iops_sec_max = "libvirt.vda.iotune.read_iops_sec_max";
inline constexpr const char* iotune_total_bytes_sec = "libvirt.vda.iotune.total_bytes_sec";
inline constexpr const char* block_rd_bytes = "libvirt.vda.rd_bytes";  // totals at the last poll that read them
inline constexpr const char* block_rd_req = "libvirt.vda.rd_req";
inline constexpr const char* block_reading_ms = "libvirt.vda.reading_ms";  // the last stretch of reads, host clock
inline constexpr const char* block_steady_ms = "libvirt.vda.steady_ms";    // that stretch less its first second
inline constexpr const char* block_steady_rd_bytes = "libvirt.vda.steady_rd_bytes";
inline constexpr const char* block_steady_rd_req = "libvirt.vda.steady_rd_req";
// vda's write counters (virDomainBlockStats wr_bytes, wr_req) at the last poll that read them (absent: no disk, or
// QEMU does not count writes): what reached the disk from the guest (the page-cache check, limits_vm_page_cache.hpp).
inline constexpr const char* block_wr_bytes = "libvirt.vda.wr_bytes";
inline constexpr const char* block_wr_req = "libvirt.vda.wr_req";
// Read at one moment (Instance::host_view_now, the freezer check): libvirt's state of the domain (virDomainState,
// see domain_state_* below) and its reason, and the CPU time QEMU's threads had used by then (schedstat): the vCPU
// threads', every other thread's (main loop, I/O, RCU), and per thread name, "<prefix><comm>", summed over the
// threads of that name.
inline constexpr const char* domain_state = "libvirt.domain_state";
inline constexpr const char* domain_state_reason = "libvirt.domain_state_reason";
inline constexpr const char* vcpu_cpu_now_ns = "proc.now.vcpu_cpu_ns";
inline constexpr const char* other_threads_cpu_now_ns = "proc.now.other_threads_cpu_ns";
inline constexpr const char* thread_cpu_now_prefix = "proc.now.thread_cpu_ns.";
inline constexpr const char* sched_cpu_shares = "libvirt.cpu_shares";  // the domain's shares (cpu.shares / cpu.weight)
}  // namespace view_key

// One poll of a disk's read counters (virDomainBlockStats rd_bytes, rd_req) on the host's monotonic clock.
struct BlockReadSample {
  std::int64_t at_ns = 0;
  std::uint64_t rd_bytes = 0;
  std::uint64_t rd_req = 0;
};

// What a disk read over the last stretch of reading in `samples` (polls in time order): the stretch runs from
// the last poll before its first new request to the last poll that counted one, and ends where the polls saw
// no new request for longer than `quiet_gap` (before it: the guest kernel's partition scan at boot). Its
// first `skip` is left out of the counts: QEMU lets a burst through before it throttles. nullopt: no request
// counted, or a stretch no longer than `skip`.
struct BlockReadWindow {
  double reading_ms = 0;  // the whole stretch
  double steady_ms = 0;   // after `skip`
  std::uint64_t steady_rd_bytes = 0;
  std::uint64_t steady_rd_req = 0;
};
std::optional<BlockReadWindow> steady_block_reads(std::span<const BlockReadSample> samples, std::int64_t skip_ns,
                                                  std::int64_t quiet_gap_ns);

// libvirt's virDomainState values the view carries (checked against libvirt's header in tunables_view.cpp).
inline constexpr double domain_state_running = 1;
inline constexpr double domain_state_paused = 3;

// The CPU time QEMU's threads have used so far, from /proc/<pid>/task/*/schedstat (time on a CPU, in ns):
// vCPU threads ("CPU n/TCG", "CPU n/KVM") apart from the others; nullopt when QEMU is gone.
struct QemuThreadTimes {
  std::uint64_t vcpu_ns = 0;
  std::uint64_t other_ns = 0;
  unsigned vcpu_threads = 0;
  std::map<std::string, std::uint64_t> by_name;  // comm -> ns, summed over threads of that name
};
std::optional<QemuThreadTimes> read_qemu_thread_times(pid_t qemu_pid);
// The figures above as view keys.
void add_thread_times(const QemuThreadTimes& times, std::map<std::string, double>& view);

// Polls QEMU's threads every 20 ms from construction to stop(), and reads libvirt and the cgroup files on
// demand (read_now) while the guest still runs. Needs a local QEMU (its pid).
class TunablesWatch {
 public:
  // `domain`: a virDomainPtr (void* keeps libvirt out of this header); referenced, not owned.
  TunablesWatch(void* domain, pid_t qemu_pid);
  ~TunablesWatch();
  TunablesWatch(const TunablesWatch&) = delete;
  TunablesWatch& operator=(const TunablesWatch&) = delete;

  // Reads libvirt's read-back and the vCPU cgroups now (the guest must still run), merged into view().
  void read_now();
  // Stops polling (idempotent).
  void stop();
  // Everything read so far.
  [[nodiscard]] std::map<std::string, double> view() const;

  struct State;

 private:
  std::unique_ptr<State> state_;
};

// Parses /proc/<pid>/status's "Cpus_allowed:" hex mask ("00000000,00000003" -> 3); nullopt when malformed.
// Exposed for tests.
std::optional<std::uint64_t> parse_hex_cpu_mask(std::string_view text);

}  // namespace benchrun::vm
