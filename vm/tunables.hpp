// A guest's limits as libvirt tunables: what the domain XML says (<cputune>, per-disk <iotune>) and what the
// host reads back while the guest runs. A guest's limits are not a cgroup of ours: libvirt puts QEMU in its
// own (the embedded driver's /machine/qemu-embed-<hash>-<id>-<name>.libvirt-qemu, with a vcpuN and an
// emulator child in the cpu and cpuset hierarchies) when the driver's qemu.conf lists cgroup controllers
// (see Connection::open), pins threads with sched_setaffinity, and QEMU throttles disk IO itself.
//
// What works on this kind of host (libvirt 9.0 embedded, cgroup v1 hybrid, QEMU 7.2 under TCG), measured:
// - <cputune> <period>/<quota> (per vCPU): the vcpuN cgroup's cpu.cfs_quota_us; needs the cpu controller.
// - <vcpupin>/<emulatorpin>: every QEMU thread's affinity; needs no cgroup.
// - <iotune> on a disk: QEMU's block throttle group; needs no cgroup.
// - <memtune><hard_limit>: refused at start ("cannot limit locked memory of process ...: Operation not
//   permitted": libvirt raises QEMU's RLIMIT_MEMLOCK to the hard limit, which needs CAP_SYS_RESOURCE).
//   Not rendered: a guest's memory limit is its RAM.
// - <blkiotune><weight>: refused ("valid only for bfq or cfq scheduler"). Not rendered: per-disk <iotune>.
// - <cputune><shares>: the domain's own cgroup (qemu-embed-...libvirt-qemu, not its vcpuN child) gets cpu.shares
//   (v1) or cpu.weight (v2) as given; the domains of one embedded root are siblings under /machine, so the shares
//   divide the CPU between guests. Needs the cpu controller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace benchrun::vm {

inline constexpr std::uint64_t default_cfs_period_us = 100'000;

struct DomainTunables {
  // Per-vCPU bandwidth: each vCPU thread may run quota_us in every period_us (<cputune><period>/<quota>).
  std::optional<std::uint64_t> vcpu_quota_us;
  std::uint64_t vcpu_period_us = default_cfs_period_us;
  // Host CPUs ("1", "0-2,5") every vCPU (<vcpupin>) and QEMU's other threads (<emulatorpin>) may run on.
  std::optional<std::string> cpuset;
  // Per-disk byte rate QEMU allows (reads and writes together, <iotune><total_bytes_sec>).
  std::optional<std::uint64_t> disk_total_bytes_sec;
  // Per-disk read rates QEMU allows (<iotune><read_bytes_sec>, <read_iops_sec>): the limits suite's io-read-bps
  // and io-read-iops. No *_max: QEMU's bucket then lets a burst of a tenth of a second's worth through (its
  // throttle_fix_bucket), where a *_max equal to the rate would let a whole second's worth through.
  std::optional<std::uint64_t> disk_read_bytes_sec;
  std::optional<std::uint64_t> disk_read_iops_sec;
  // The domain's proportional CPU weight among its siblings (<cputune><shares>; libvirt's shares, written as they
  // are to cpu.shares on v1 and to cpu.weight on v2; the default is 1024 on v1, 100 on v2).
  std::optional<std::uint64_t> cpu_shares;

  // Whether libvirt needs its cgroups for these (the quota and the shares do; pinning and iotune do not).
  [[nodiscard]] bool need_cgroups() const noexcept { return vcpu_quota_us.has_value() || cpu_shares.has_value(); }
  [[nodiscard]] bool empty() const noexcept {
    return !vcpu_quota_us && !cpuset && !disk_total_bytes_sec && !disk_read_bytes_sec && !disk_read_iops_sec &&
           !cpu_shares;
  }
  [[nodiscard]] bool has_disk_rate() const noexcept {
    return disk_total_bytes_sec || disk_read_bytes_sec || disk_read_iops_sec;
  }
};

// Per-vCPU quota for `cpus` CPUs of bandwidth spread over `vcpus` vCPUs (each gets cpus / vcpus of a CPU),
// in microseconds per `period_us`; at least 1000 (libvirt refuses less). nullopt when every vCPU may use a
// whole CPU anyway (cpus >= vcpus): there is nothing to throttle.
std::optional<std::uint64_t> vcpu_quota_for(double cpus, unsigned vcpus, std::uint64_t period_us);

// The <cputune> element for `vcpus` vCPUs, empty without a quota, shares or a cpuset. Throws Error for a malformed
// cpuset, a quota outside libvirt's 1000..17592186044415 us, a period outside 1000..1000000 us or shares outside
// 2..262144 (libvirt's for cgroup v1; v2 hosts refuse more than 10000 when the guest starts).
std::string cputune_xml(const DomainTunables& tunables, unsigned vcpus);

// The <iotune> element of a disk, empty without a rate. Throws Error for a rate of 0 (libvirt reads it as no
// limit), one past QEMU's 10^15 (THROTTLE_VALUE_MAX), or a total and a read byte rate together (libvirt
// refuses "total and read/write of bytes_sec cannot be set at the same time").
std::string iotune_xml(const DomainTunables& tunables);

}  // namespace benchrun::vm
