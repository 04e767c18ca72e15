// What killed runs left of the peers' instances: runtime containers (`crun list`, `runc list`) named with
// our prefix, their cgroups at each hierarchy's root, their bundles (state dirs). Part of
// runtime::sweep_leftovers, which runs before anything else of ours judges those state dirs.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace benchrun::runtime::oci {

// Removes instance `name`'s cgroup directories (cgroups_path_for: the runtime's leaf, then its parent) in
// every hierarchy under `cgroup_root`, killing what still runs there; returns how many it removed.
int remove_peer_cgroups(const std::filesystem::path& cgroup_root, const std::string& name);

struct OciSweepResult {
  int containers_removed = 0;  // runtime containers deleted
  int cgroups_removed = 0;     // cgroup directories the runtimes left behind
};

// An instance is a leftover when its state dir under `state_root` has no live owner, or it has none at
// all (a bundle is made before the runtime knows the container and removed after it forgot it). Each
// leftover is deleted (forced) by every runtime that knows it, then its cgroup directories are removed;
// its state dir is left to the caller's sweep. Names outside `name_prefix` are not looked at, and a
// runtime that never ran here (no state root) is not asked.
OciSweepResult sweep_oci_leftovers(const std::filesystem::path& state_root, const std::filesystem::path& cgroup_root,
                                   std::string_view name_prefix);

}  // namespace benchrun::runtime::oci
