// The limits suite's devices check on the vm backend. A guest sees only the devices its domain XML gives it;
// what the host enforces is libvirt's devices cgroup around QEMU (qemu.conf's cgroup_device_acl plus the disks
// and chardevs of the domain): on v1 the devices controller's devices.list, on v2 a BPF device program libvirt
// attaches to the domain's cgroup. A run with the devices check opens the embedded driver with the devices
// controller (vm/connection.hpp, EmbedCgroups::on_with_devices); --limits-off devices opens it without any cgroup
// controller (libvirt 9.0 confines devices in the unified hierarchy whenever it makes cgroups there).
//
// Judged from the host, while the guest runs (read once the guest is up, at its READY line):
// - devices.host_view: QEMU sits in the devices cgroup libvirt made for the domain (a .libvirt-qemu or
//   machine-qemu*.scope directory), and it denies by default: v1's devices.list holds no "a *:* rwm"; in the
//   unified hierarchy at least one device program is attached to QEMU's cgroup or an ancestor (bpf
//   BPF_PROG_QUERY). libvirt 9 attaches a program whenever the unified hierarchy is mounted, on a hybrid host
//   too (at <root>/unified: measured here, where the v1 devices hierarchy stays untouched).
// - devices.denied: a probe process placed in QEMU's devices cgroup (fork, its pid written to that cgroup's
//   cgroup.procs: only that hierarchy, the v1 devices one or the unified one) opens a node of /dev/kmsg (c 1:11, not in
//   libvirt's ACL) write-only, as devprobe does, and gets EPERM.
// - devices.allowed_still_work: the same probe opens a node of /dev/null (c 1:3, in the ACL) and writes a byte.
// The nodes are made by the host process (outside the cgroup: libvirt's rules give rw, not m) in a private
// directory of the run's state dir, removed right after; the probe exits and is reaped before anything else
// (a cgroup with a task in it could not be removed with the guest).
// Inside the guest devprobe runs too: its result is its own kernel's business (the guest's devices are the
// domain XML's), reported in the denied verdict's reason and not judged.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/suites/limits_checks.hpp"
#include "harness/suites/limits_vm.hpp"

namespace benchrun::harness {

// The host's figures of the devices check, in Instance::host_limits_view (0/1 flags and errnos, 0: it worked).
namespace vm_devices_key {
inline constexpr const char* cgroup_found = "devices.cgroup_found";        // QEMU's devices cgroup was found
inline constexpr const char* cgroup_is_domain = "devices.cgroup_domain";   // it is one libvirt made for the domain
inline constexpr const char* cgroup_v2 = "devices.cgroup_v2";              // 1: unified (device programs)
inline constexpr const char* list_rules = "devices.list_rules";            // v1: devices.list's lines
inline constexpr const char* list_allows_all = "devices.list_allows_all";  // v1: 1 when "a *:* rwm" is one
inline constexpr const char* programs = "devices.programs";  // unified: on QEMU's cgroup and its ancestors
inline constexpr const char* probe_setup_errno = "devices.probe_setup_errno";  // making the nodes, the fork
inline constexpr const char* probe_join_errno = "devices.probe_join_errno";    // writing to cgroup.procs
inline constexpr const char* probe_kmsg_errno = "devices.probe_kmsg_errno";    // open c 1:11 write-only
inline constexpr const char* probe_null_errno = "devices.probe_null_errno";    // open c 1:3, write a byte
}  // namespace vm_devices_key

// What one probe process saw. setup_errno: the nodes could not be made or the process not started (nothing
// else is set); join_errno: it could not join the cgroup (the opens were not tried).
struct DeviceProbeResult {
  int setup_errno = 0;
  int join_errno = 0;
  int kmsg_errno = 0;
  int null_errno = 0;
};

// Makes the kmsg and null nodes in a private directory under `scratch_parent` (a mount without nodev), forks a
// process that joins `cgroup_dir` (writes its pid to cgroup_dir/cgroup.procs) and opens them, reaps it and
// removes the directory. Needs root (mknod, cgroup.procs).
DeviceProbeResult probe_devices_cgroup(const std::filesystem::path& cgroup_dir,
                                       const std::filesystem::path& scratch_parent);

// Reads the devices cgroup of QEMU (`qemu_pid`) as /proc/<pid>/cgroup names it (the domain's v1 devices cgroup, else
// its unified one), and probes it; never throws
// (what could not be read is absent from the figures, and judged so).
std::map<std::string, double> read_vm_devices_view(pid_t qemu_pid, const std::filesystem::path& scratch_parent);

// Whether a cgroup path is one libvirt made for a domain: a component ending in ".libvirt-qemu" (libvirt's own
// cgroups, the embedded driver's qemu-embed-...) or a machined scope "machine-qemu...scope". Exposed for tests.
bool is_libvirt_domain_cgroup(const std::filesystem::path& path);

std::vector<reports::Verdict> judge_vm_devices(const LimitCheck& check, const VmObservation& seen);

}  // namespace benchrun::harness
