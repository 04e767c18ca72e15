// The container's root: an overlay of the read-only image over a per-instance upper dir on a tmpfs of the
// instance's own (nothing of it on the host, and what the workload writes is charged to its memory
// cgroup, as a container's memory should be), the kernel
// filesystems every init expects (/proc, a minimal /dev, read-only /sys, /tmp), pivot_root into it,
// then runc's masks over the /proc and /sys paths that reveal or change the host. The root is not nodev
// (as runc's): a device node made there (CAP_MKNOD) opens only if the devices cgroup allows it; /dev and
// /tmp stay nodev.
//
// Runs in the container's init, in its new mount namespace, before exec: no allocation, and every
// mount target inside the image is resolved with openat2(RESOLVE_IN_ROOT), so a symlink in the image
// (/proc -> /host/etc, say) cannot redirect a mount out of the rootfs.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "runtime/linux/child_failure.hpp"

namespace benchrun::runtime::kernel {

// runc's masked paths: files get /dev/null over them, directories an empty read-only tmpfs. The OCI
// bundle of the peers (runtime/oci/oci_config.hpp) names the same.
inline constexpr std::array<const char*, 10> masked_paths = {
    "/proc/acpi",        "/proc/kcore",       "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
    "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",       "/sys/devices/virtual/powercap"};
// The /proc entries that change the host kernel: made read-only.
inline constexpr std::array<const char*, 6> readonly_proc_paths = {"/proc/asound", "/proc/bus", "/proc/fs",
                                                                   "/proc/irq",    "/proc/sys", "/proc/sysrq-trigger"};

// Prepared by the parent; the strings outlive the child's use of them.
struct RootfsPlan {
  std::string scratch_dir;      // the instance's tmpfs goes here, in its mount namespace only
  std::string upper_dir;        // <scratch>/upper: the writable layer
  std::string work_dir;         // <scratch>/work: overlayfs's work dir
  std::string merged_dir;       // <scratch>/root: where the overlay is mounted and pivot_root goes
  std::string overlay_options;  // "lowerdir=<image>,upperdir=<upper>,workdir=<work>"
  bool mask_paths = true;       // false: neither masked_paths nor readonly_proc_paths (isolation suite flips)
  bool readonly_sys = true;     // false: /sys read-write (isolation suite flips)
  // Host folders bound onto top-level folders of the root, after /tmp and before pivot_root.
  struct Bind {
    std::string source;  // absolute host path
    std::string target;  // one component, no slash: "scratch"
  };
  std::vector<Bind> binds;
};

// "/scratch" -> "scratch"; throws Error on a target that is not one folder under the root.
std::string bind_target_name(const std::string& target);

// The plan for an instance whose state dir has `scratch_dir`, over the image rootfs `lower`.
RootfsPlan make_rootfs_plan(const std::string& lower, const std::string& scratch_dir, bool user_namespace);

// "lowerdir=...,upperdir=...,workdir=..." (+ ",userxattr" inside a user namespace, where overlayfs
// cannot use trusted.* xattrs). Throws Error if a path holds a ',' or ':' overlayfs cannot take.
std::string overlay_mount_options(const std::string& lower, const std::string& upper, const std::string& work,
                                  bool user_namespace);

// Every step, in order; false with `failure` filled at the first that fails.
bool build_rootfs(const RootfsPlan& plan, ChildFailure& failure) noexcept;

}  // namespace benchrun::runtime::kernel
