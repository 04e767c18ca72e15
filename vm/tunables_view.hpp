// The host's side of a guest's limits, read independently of what benchrun asked for: libvirt's read-back
// of the tunables (virDomainGetSchedulerParameters, virDomainGetVcpuPinInfo, virDomainGetEmulatorPinInfo)
// and the kernel's own view of QEMU's threads (the vCPU threads' cgroup files found through
// /proc/<pid>/task/<tid>/cgroup, their CPU time in /proc/.../schedstat, every thread's affinity in
// /proc/.../status and the CPU it ran on in /proc/.../stat, polled while the guest runs).
//
// The figures travel to the limits suite as named numbers (Instance::host_limits_view), keyed by the names
// below; CPU sets are bit masks (bit n: host CPU n), as the affinity probe reports them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
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
inline constexpr const char* sched_cpu_shares = "libvirt.cpu_shares";  // the domain's shares (cpu.shares / cpu.weight)
}  // namespace view_key

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
