// The limits suite on the vm backend: a guest's limits are libvirt tunables (vm/tunables.hpp), not a cgroup
// benchrun reads by path, so a check runs in a guest whose domain XML carries its limit and is judged from
// the host's side as the vm backend reads it while the guest runs (Instance::host_limits_view: libvirt's
// read-back, the vCPU threads' cgroup files, every QEMU thread's affinity and the CPUs it ran on) and from
// the workload's own count inside the guest.
//
// - cpu-quota: <cputune> period 100 ms, quota 25 ms per vCPU (one vCPU). Host: libvirt and the vCPU cgroup
//   read the quota back, cpu.stat shows throttled periods, and the vCPU thread's CPU time (schedstat) stays
//   within nr_periods x quota + 10 % (test_cpucg_max's tolerance). Workload: the guest kernel cannot see its
//   vCPU throttled (no steal time under TCG) and charges the burner all its wall time, so the burner counts
//   the time it stood still (burner_stalled_ms, burner_peak_ran_ms_per_s): in no second of its wall time may it
//   have run more than the quota's share + 10 % (a quota bounds every second; contention on a busy host only
//   lowers the average, so the busiest second is what tells a quota from a crowd).
// - cpuset: <vcpupin> and <emulatorpin> on the configured host CPUs. Host: libvirt reads the pins back,
//   every QEMU thread may run only there (/proc/<tid>/status), was seen running only there (/proc/<tid>/stat,
//   polled every 20 ms), and the vCPU cgroup's effective cpuset says the same. Workload: a guest numbers its
//   own vCPUs; the probe must see exactly as many as the cpuset has host CPUs, and run only on them.
// - memory: a guest's memory limit is its RAM (256 MiB, what the default image boots in); the hog touches
//   twice that (mapped MAP_NORESERVE: the guest's overcommit heuristic would refuse it up front). Workload: the guest
//   kernel's OOM killer takes the hog (signal 9). Host: libvirt reads the RAM back, and QEMU's peak RSS stays
//   within the RAM plus 192 MiB for QEMU itself (device model, TCG's translated code: 110 MiB measured with
//   QEMU 7.2 under TCG, half as much again for what varies). --limits-off gives the
//   guest RAM for the hog (1 GiB).
// - io-read-bps, io-read-iops: a scratch virtio disk with <iotune>, judged in limits_vm_io.hpp.
// - cpu-weight: two guests at once at libvirt shares 100 and 300 on one CPU (limits_vm_weight.hpp).
// - devices: libvirt's devices cgroup around QEMU, read and probed from the host (limits_vm_devices.hpp).
// - pids: a warning of the run, not a verdict, saying why: a guest has no host-side task limit (the forker's
//   tasks are the guest kernel's; the host sees QEMU's threads).
#pragma once

#include <map>
#include <string>

#include "harness/backend.hpp"
#include "harness/options.hpp"
#include "harness/suite.hpp"
#include "harness/suites/limits_checks.hpp"

namespace benchrun::harness {

// What one check's guest showed: the host's figures (vm/tunables_view.hpp keys) and the workload's own.
struct VmObservation {
  std::map<std::string, double> host;
  WorkloadView workload;
  bool limit_applied = true;
  unsigned vcpus = 1;                    // the guest's
  std::uint64_t guest_memory_bytes = 0;  // the RAM the guest was given
};

// Runs `check` in a guest of `backend` (kind vm, not vm+container) and judges it. `scratch_root`: where the I/O
// checks' scratch disk goes (--scratch-dir; limits_vm_io.hpp).
StepResult measure_vm_limit_check(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off,
                                  const std::filesystem::path& scratch_root = OverheadOptions{}.scratch_dir);

// The judgements, exposed for tests.
std::vector<reports::Verdict> judge_vm_cpu_quota(const LimitCheck& check, const VmObservation& seen);
std::vector<reports::Verdict> judge_vm_cpuset(const LimitCheck& check, const VmObservation& seen);
std::vector<reports::Verdict> judge_vm_memory(const LimitCheck& check, const VmObservation& seen);
// Why pids is not judged on a guest: the run's warning.
std::string vm_pids_not_applicable();

// The memory check's guest: its RAM, QEMU's allowance above it, the hog's size, and the RAM without the limit.
inline constexpr std::uint64_t vm_memory_limit_mib = 256;
inline constexpr std::uint64_t vm_qemu_overhead_mib = 192;
inline constexpr std::uint64_t vm_memory_hog_mib = 512;
inline constexpr std::uint64_t vm_memory_unlimited_mib = 1024;

}  // namespace benchrun::harness
