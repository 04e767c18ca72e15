// What `benchrun cleanup` and the start of every run call: remove what killed runs left behind.
#pragma once

#include <filesystem>
#include <string_view>

#include "runtime/state_dir.hpp"

namespace benchrun::runtime {

struct SweepResult {
  int cgroups_removed = 0;
  int state_dirs_removed = 0;
  int mounts_removed = 0;
  int peer_containers_removed = 0;  // crun/runc containers (their cgroups count as cgroups)
  int loop_devices_removed = 0;     // the limits suite's (runtime/loop_device.hpp), with their mounts
};

// First the peers' leftovers (runtime/oci/oci_sweep.hpp: crun and runc containers, their cgroups), then
// removes instance cgroups under every hierarchy's `benchrun` parent and state dirs under `state_root`
// whose owner process is gone (killing what still runs in them), and unmounts anything mounted under
// `state_root` in this mount namespace. Instances of live benchrun processes are left alone, and so is
// every name not starting with `name_prefix` (a narrower prefix sweeps one run: "benchrun-<run>-").
// Loop devices of gone benchruns are detached after the cgroups (runtime/loop_device.hpp).
// A cgroup with no state dir at all counts as a leftover; a `doctor-<pid>` cgroup (benchrun doctor's attach
// measurement) is one once its pid is gone.
SweepResult sweep_leftovers(const std::filesystem::path& state_root = default_state_root,
                            const std::filesystem::path& cgroup_root = "/sys/fs/cgroup",
                            std::string_view name_prefix = "benchrun-");

// Removes the shared `benchrun` cgroup parents no instance uses any more (a busy one is left alone), so a
// finished command leaves no cgroup directory behind. sweep_leftovers() ends with it.
void remove_unused_cgroup_parents(const std::filesystem::path& cgroup_root = "/sys/fs/cgroup");

}  // namespace benchrun::runtime
