// The OCI runtime-spec bundle config (config.json) of one instance for a peer runtime (crun, runc): the same
// container our runtime makes from a ContainerConfig (runtime/container.hpp), in the spec's words. Pure: no
// file, no kernel; tests validate its output against the runtime-spec JSON schema.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/container_config.hpp"

namespace benchrun::runtime::oci {

// The spec version the config claims: what crun 1.8 ("spec: 1.0.0") and runc 1.1 ("spec: 1.0.2-dev") both
// read.
inline constexpr const char* oci_version = "1.0.2";

// Where the runtime finds what the config names.
struct BundleLayout {
  // The root the runtime pivots into: the overlay of the image (read-only lower layer) and the instance's
  // writable upper layer, mounted by the launcher in its private mount namespace (see oci_container.hpp).
  std::filesystem::path root;
  // Read-only root: the image alone, no writable layer (`benchrun oci-bundle --read-only-root`).
  bool root_readonly = false;
};

// The cgroup a peer's instance gets: <hierarchy>/<name>/oci, <name> being benchrun-<run>-<n>. The runtime
// makes both (mkdir -p) and removes only the leaf when its `run` ends, so <name> keeps the instance's
// hierarchical counters (memory peak, cpu usage, OOM kills) for stats() until destroy() removes it. At the
// hierarchy's root, not under our `benchrun` parent, where our sweep takes a directory without a state dir
// of ours for a leftover; the OCI sweep (oci_sweep.hpp) finds these by name.
inline constexpr const char* runtime_cgroup_leaf = "oci";
std::string cgroups_path_for(const std::string& instance_name);

// config.json for `config`: its argv, env and hostname; the namespaces pid, mount, uts, ipc, cgroup, and
// network and user where asked for (uids and gids mapped like ours); its limits as linux.resources; our
// default capabilities (Docker's less CAP_NET_RAW), no_new_privs, and when asked our seccomp denylist
// (security.hpp) as linux.seccomp; /proc, /dev, /sys (read-only) and /tmp mounted like ours, with our masked
// and read-only paths.
nlohmann::json make_config(const ContainerConfig& config, const BundleLayout& layout);

}  // namespace benchrun::runtime::oci
