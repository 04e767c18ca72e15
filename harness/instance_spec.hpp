// What one instance runs and how it is confined: the suite and the `run` command build it, a Backend honours it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::harness {

// The container backend honours every switch; native runs unconfined (it is the baseline) and a guest is
// confined by being a guest (it takes the memory and CPU limits as its size).
struct InstanceSpec {
  std::string name;      // benchrun-<run>-<n>: names every resource the instance creates
  std::string workload;  // a program of the image: a bare name is one of /bench/bin, a path is taken as it is
  std::vector<std::string> workload_args;
  reports::Limits limits;
  std::string hostname;           // empty: the name
  bool network_namespace = true;  // false: share the host's network
  // Non-empty: the instance joins this network namespace (a path to a netns benchrun made, e.g.
  // runtime::net::NetNamespace::path()) instead of a new, empty one. Native joins it too. Not with a user
  // namespace: the namespace belongs to the host's user namespace.
  std::string network_namespace_path;
  bool user_namespace = false;
  bool seccomp = true;  // the default seccomp filter
  // Removed only by the isolation suite's --isolation-off, to show its checks fail without them.
  bool pid_namespace = true;
  bool ipc_namespace = true;
  bool uts_namespace = true;
  bool cgroup_namespace = true;
  bool drop_capabilities = true;
  bool mask_paths = true;
  bool readonly_sys = true;
  // Removed only by the limits suite's --limits-off devices: no devices cgroup (crun, runc: an allow-all rule).
  bool devices_cgroup = true;
  // Host folders bound into containers ({host folder, "/name"}); native and guests ignore them.
  std::vector<std::pair<std::string, std::string>> binds;
  // Raw host files a guest gets as virtio disks (/dev/vda, ...); other backends ignore them.
  std::vector<std::string> disk_files;
  // Non-empty: a guest gets a virtio NIC on this tap, a persistent one the step made in the namespace that
  // network_namespace_path names (runtime::net::TapDevice), and benchinit gives the NIC guest_address
  // ("192.0.2.2/30"). Other backends ignore them (vm+container: the inner container shares the guest's network
  // when network_namespace is false).
  std::string guest_tap;
  std::string guest_address;
  // vm+container only: non-empty, the guest's benchrun runs these arguments instead of `run --backend container`
  // for the workload (the suites that judge vm+container from inside its guest: harness/suites/in_guest_suite.hpp).
  std::vector<std::string> nested_benchrun_args;
  // Guests only: non-empty, what the guest wrote under /results is unpacked into this host folder once it ended.
  std::filesystem::path results_dir;
  // The instance will be frozen while it runs (Instance::freeze): our containers join the v1 freezer
  // hierarchy for it. The peers' and a guest's freezers need nothing in advance; native cannot freeze.
  bool freezable = false;
  // The host block device that limits.io_read_bps / io_read_iops throttle (the limits suite's loop device,
  // whose filesystem a bind mounts in); containers only, unset: no device is throttled.
  struct BlockDevice {
    std::uint32_t major = 0;
    std::uint32_t minor = 0;
  };
  std::optional<BlockDevice> throttled_device;
  // Guests only: a swap device of this many bytes (zram, benchrun.swap= on the kernel command line), set up by
  // benchinit before the workload; unset: no swap, as on the host. The limits suite's memory-swap check on
  // vm+container sets it (in_guest_suite.hpp).
  std::optional<std::uint64_t> guest_swap_bytes;
  // Guests only (vm): once the guest is up (READY), the host reads QEMU's devices cgroup and runs a probe process
  // in it (harness/suites/limits_vm_devices.hpp), for Instance::host_limits_view. Other backends ignore it.
  bool probe_host_devices = false;
  // Guests only: more kernel parameters for benchinit (e.g. benchrun.scratch=/dev/vda: mount the ext4 on the first
  // disk_files entry as the guest's scratch folder, vm/guest_scratch.hpp). Other backends ignore them.
  std::vector<std::string> guest_kernel_parameters;
};

// The workload's path inside the image.
inline std::string workload_path(const InstanceSpec& spec) {
  return spec.workload.find('/') == std::string::npos ? "/bench/bin/" + spec.workload : spec.workload;
}

}  // namespace benchrun::harness
