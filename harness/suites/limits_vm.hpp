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

// A memory check's guest: its RAM (its limit), QEMU's copy of the image's initramfs, and what QEMU's peak RSS may
// reach. 256 MiB, or more when the image needs more to boot (guest_memory_floor_mib: image "guest" unpacks a
// 138 MiB initramfs into a tmpfs in RAM and boots in 542 MiB). QEMU keeps its own copy of the initramfs for the
// guest's life (fw_cfg's initrd data, handed to the guest again at a reset), so its RSS may hold the RAM, that
// copy and 192 MiB for QEMU itself (device model, TCG's translated code: 110 MiB measured with QEMU 7.2 under
// TCG, half as much again for what varies; 788 MiB = 542 + 138 + 108 measured for image "guest").
inline constexpr std::uint64_t vm_memory_limit_mib = 256;
inline constexpr std::uint64_t vm_qemu_overhead_mib = 192;
struct VmGuestMemory {
  std::uint64_t ram_mib = vm_memory_limit_mib;
  std::uint64_t initramfs_mib = 0;
  [[nodiscard]] std::uint64_t qemu_ceiling_mib() const { return ram_mib + initramfs_mib + vm_qemu_overhead_mib; }
  // The memory check's hog: twice the RAM; and the RAM without the limit: twice the hog, room for it beside
  // what the image needs (1 GiB for 256 MiB).
  [[nodiscard]] std::uint64_t hog_mib() const { return 2 * ram_mib; }
  [[nodiscard]] std::uint64_t ram_for_hog_mib() const { return 2 * hog_mib(); }
};
// `initramfs_bytes`: the image's (0: unknown, the 256 MiB of the default image).
VmGuestMemory vm_guest_memory(std::uint64_t initramfs_bytes);
// The image's initramfs size as the vm backend's details() give it ("initramfs_bytes"); 0 when unknown.
std::uint64_t image_initramfs_bytes(const Backend& backend);

// A figure of the host's side (a vm/tunables_view.hpp key) and one of the workload's own, when they were seen.
std::optional<double> vm_host_figure(const VmObservation& seen, const char* name);
std::optional<double> vm_workload_metric(const VmObservation& seen, const std::string& name);

// Runs a check's guest to its end: the workload's RESULT and the console lines starting with `keep_prefix` (when
// not empty: a workload that failed says why there) go to `seen.workload`, and the host's view is what the
// backend watched while the guest ran. Throws like Backend::launch.
void observe_vm_guest(Backend& backend, const InstanceSpec& spec, sys::MonotonicNs deadline, VmObservation& seen,
                      reports::Sample& sample, std::string_view keep_prefix = {});

// The failing verdict of a check whose guest failed (`error`: its launch, boot or run), saying so.
reports::Verdict vm_guest_failed(const LimitCheck& check, const sys::Error& error);

// Runs `check` in a guest of `backend` (kind vm, not vm+container) and judges it. `scratch_root`: where the I/O
// checks' scratch disk goes (--scratch-dir; limits_vm_io.hpp).
StepResult measure_vm_limit_check(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off,
                                  const std::filesystem::path& scratch_root = OverheadOptions{}.scratch_dir);

// The judgements, exposed for tests.
std::vector<reports::Verdict> judge_vm_cpu_quota(const LimitCheck& check, const VmObservation& seen);
std::vector<reports::Verdict> judge_vm_cpuset(const LimitCheck& check, const VmObservation& seen);
std::vector<reports::Verdict> judge_vm_memory(const LimitCheck& check, const VmGuestMemory& guest,
                                              const VmObservation& seen);
// Why pids is not judged on a guest: the run's warning.
std::string vm_pids_not_applicable();

}  // namespace benchrun::harness
