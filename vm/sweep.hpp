// Cleanup of what killed runs left behind: benchrun-* domains (running or defined) and console fifos.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vm/connection.hpp"

namespace benchrun::vm {

// Destroys and undefines every domain whose name starts with `prefix` on this connection (the embedded
// driver reconnects to QEMUs a killed benchrun left, so they are found), and removes <prefix>*.console.{in,out} fifos
// and <prefix>*.results files under `state_dir` if given. Returns the names of the domains removed. Throws on the first
// failure, naming the domain.
// (On a local connection it also removes the cgroups libvirt's embedded driver made for such guests, see below.)
std::vector<std::string> sweep_leftovers(Connection& connection, const std::string& prefix = "benchrun-",
                                         const std::filesystem::path& state_dir = {});

// Removes <cgroup_root>/<hierarchy>/machine/qemu-embed-*-<prefix>*.libvirt-qemu and the cgroups under it (vcpuN,
// emulator) where they hold no task: what libvirt's embedded driver leaves of a guest whose QEMU went while no
// connection that makes cgroups watched it (a killed run's). A live guest's cgroups hold tasks and stay.
void remove_leftover_machine_cgroups(const std::string& prefix,
                                     const std::filesystem::path& cgroup_root = "/sys/fs/cgroup");

}  // namespace benchrun::vm
