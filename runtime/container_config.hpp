// What a container instance is: its image, its command, its isolation and its limits.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "runtime/cgroup/resources.hpp"
#include "runtime/state_dir.hpp"

namespace benchrun::runtime {

// A host folder seen inside the container (read-write, nosuid, nodev): the overhead suite's disk, which must be
// the host's own storage rather than the tmpfs under the overlay. The target is one top-level folder ("/scratch").
struct BindMount {
  std::filesystem::path source;  // absolute, on the host
  std::string target;            // "/name": made in the container's root if the image lacks it
};

struct ContainerConfig {
  std::string name;               // benchrun-<run>-<n>: names the cgroup and the state dir
  std::filesystem::path rootfs;   // image rootfs: the overlay's read-only lower layer
  std::vector<std::string> argv;  // argv[0] is an absolute path inside the rootfs
  std::vector<std::string> env = {"PATH=/bin:/sbin:/bench/bin"};
  std::string hostname;           // empty: the name
  bool network_namespace = true;  // false: share the host's network
  bool user_namespace = false;    // container root = host uid user_namespace_host_base
  bool seccomp = true;            // the default denylist (capabilities are always dropped)
  // Protections the isolation suite removes one by one to show its checks fail without them
  // (`benchrun suite --suite isolation --isolation-off ...`); every other caller keeps the defaults.
  bool pid_namespace = true;
  bool ipc_namespace = true;
  bool uts_namespace = true;  // false: the host's hostname, and `hostname` is not set (it would be the host's)
  bool cgroup_namespace = true;
  bool drop_capabilities = true;  // false: every capability kept (none dropped from any set)
  bool mask_paths = true;         // false: no masked paths, /proc's read-only entries left writable
  bool readonly_sys = true;       // false: /sys mounted read-write
  // The devices cgroup: every device denied but default_allowed_devices() (runtime/cgroup/devices.hpp). false
  // (the limits suite's --limits-off devices): any device node the mounts let through opens.
  bool devices_cgroup = true;
  ResourceLimits limits;
  std::vector<BindMount> binds;
  int stdin_fd = -1;  // dup2'd onto 0, 1, 2 in the container; -1 = inherit
  int stdout_fd = -1;
  int stderr_fd = -1;
  std::filesystem::path state_root = default_state_root;
  std::filesystem::path cgroup_root = "/sys/fs/cgroup";
  // On cgroup v2 the init is cloned straight into its cgroup where the kernel allows (clone3
  // CLONE_INTO_CGROUP); false forces the cgroup.procs write instead, to measure or test that path.
  bool clone_into_cgroup = true;
  // Non-empty (with network_namespace): join this network namespace (a netns path) instead of a new one.
  std::string network_namespace_path;
  // The instance may be frozen while it runs (Container::freeze): on v1 it joins the freezer hierarchy too,
  // which every other instance is spared (one more migration at start). v2 needs nothing.
  bool freezable = false;
};

// With user_namespace, container uids/gids 0..65535 map to host user_namespace_host_base + the same.
inline constexpr unsigned user_namespace_host_base = 100'000;
inline constexpr unsigned user_namespace_size = 65'536;

}  // namespace benchrun::runtime
