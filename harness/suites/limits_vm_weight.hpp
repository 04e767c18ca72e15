// The limits suite's cpu-weight check on the vm backend: two guests on one host CPU share it in proportion to
// their libvirt shares.
//
// Two guests at once, one vCPU each, every QEMU thread of both pinned (<vcpupin>, <emulatorpin>) to the host's
// last CPU, as the container check pins its two instances; <cputune><shares> 100 and 300 (libvirt writes them
// as they are to the domain cgroup's cpu.shares on v1, cpu.weight on v2: 300 / (100 + 300) = 0.75 either way).
// The shares are on the domain's own cgroup (machine/qemu-embed-...libvirt-qemu), not on its vcpuN child: the
// two domains are siblings under /machine, so that is the level where they divide the CPU (vcpuN keeps the
// default, and beside its emulator sibling alone would divide nothing between guests; crun's and runc's leaf
// had the same trouble, runtime/oci/oci_container.cpp). The check reads which level carries them.
//
// Both guests boot under TCG (seconds, on the one CPU they share), so the burners are given a start time on
// the host's clock (CLOCK_REALTIME, vm_weight_lead_ms after the first launch) and burn vm_weight_burn_ms from
// it. A guest's clock comes from the RTC at boot, in whole seconds: the two burns start up to a second apart
// (and later, when a boot outlasted the lead). So only the window where both burn is judged, on the host's
// clock: each burn ends when its "burner: ..." line arrives on the console and began its burner_wall_ms
// before (the guest's clock runs at the host's under TCG); the window is from the later start to the earlier
// end, trimmed by vm_weight_edge_ms at both ends for the console's latency, and must last vm_weight_min_overlap_ms.
//
// - Host: libvirt reads the shares back (virDomainGetSchedulerParameters' cpu_shares); the domain cgroups carry
//   them and are siblings; both guests are pinned to the CPU; the vCPU threads' CPU time (/proc/<tid>/schedstat
//   of the threads in the vcpuN cgroups, sampled about every 10 ms while both run) over the window gives the
//   heavier guest's share of the two.
// - Workload: a guest kernel cannot see its vCPU wait on the host (no steal time under TCG) and charges the
//   burner all its wall time; what the burner ran is its wall time less the stalls it counted
//   (burner_stalled_ms, as the vm cpu-quota check). Its burn reaches outside the window by the start skew; that
//   part, when one burned alone, is taken off as the host saw its vCPU run then. The rest, the two burners'
//   own counts in the window, gives the heavier's share.
// Both shares are judged against 0.75 with the container check's tolerance (10 %, limits_weight.hpp: 0.679..0.829
// wide); --limits-off runs both at libvirt's default shares, an even split far outside.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/backend.hpp"
#include "harness/suite.hpp"
#include "harness/suites/limits_checks.hpp"
#include "sys/clock.hpp"
#include "vm/domain_cgroup.hpp"

namespace benchrun::harness {

inline constexpr std::uint64_t vm_weight_lead_ms = 20'000;
inline constexpr std::uint64_t vm_weight_burn_ms = 8'000;
inline constexpr double vm_weight_min_overlap_ms = 4'000;
inline constexpr double vm_weight_edge_ms = 100;

// The vCPU threads' CPU time as the host sampled it: (host monotonic ns, CPU ns so far).
using CpuSeries = std::vector<std::pair<sys::MonotonicNs, std::uint64_t>>;

// The CPU time the series shows between `from` and `to` (linear between samples); nullopt when the samples do
// not reach both ends.
std::optional<double> cpu_ns_between(const CpuSeries& series, sys::MonotonicNs from, sys::MonotonicNs to);

// What one of the two guests showed.
struct VmWeightGuest {
  std::uint64_t shares = 0;            // what it was configured at (light_cpu_weight or heavy_cpu_weight)
  std::map<std::string, double> host;  // the backend's view (vm/tunables_view.hpp keys)
  WorkloadView workload;
  std::optional<vm::DomainCpuCgroup> cgroup;  // its domain's cpu cgroup, read while it ran
  std::optional<double> burn_from_ms;         // its burn on the host's clock (ms from the first launch)
  std::optional<double> burn_to_ms;
  std::optional<double> window_cpu_ms;  // its vCPU threads' CPU time in the judged window
  std::optional<double> alone_cpu_ms;   // ... in its burn outside the overlap (where it burned alone)
};

struct VmWeightObservation {
  VmWeightGuest light;
  VmWeightGuest heavy;
  bool cgroup_v1 = true;
  bool limit_applied = true;
  std::string cpuset;                // the host CPU both are pinned to
  std::optional<double> overlap_ms;  // both burns, untrimmed
  std::optional<double> window_ms;   // the judged window (trimmed)
};

std::vector<reports::Verdict> judge_vm_cpu_weight(const LimitCheck& check, const VmWeightObservation& seen);

// Launches both guests of `backend` (kind vm), reads and judges them; both are destroyed on every path.
StepResult measure_vm_cpu_weight(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off);

}  // namespace benchrun::harness
