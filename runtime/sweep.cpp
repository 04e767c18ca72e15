#include "runtime/sweep.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <sstream>

#include "runtime/cgroup/attach_cost.hpp"
#include "runtime/cgroup/cgroup.hpp"
#include "runtime/cgroup/cgroup_dir.hpp"
#include "runtime/cgroup/mode.hpp"
#include "runtime/loop_device.hpp"
#include "runtime/oci/oci_sweep.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "sys/process_alive.hpp"

namespace benchrun::runtime {

namespace {

using sys::process_alive;

// Names of instances whose state dir belongs to a live benchrun process: those are not leftovers.
// Every hierarchy that may hold a `benchrun` parent. A hybrid host's unified tree holds instances only
// when asked for (cgroup_root = <root>/unified), but a killed run's leftovers there must go too.
std::vector<std::filesystem::path> benchrun_hierarchies(const std::filesystem::path& cgroup_root) {
  const CgroupMode mode = detect_cgroup_mode(cgroup_root);
  auto hierarchies = cgroup_parent_dirs(mode, cgroup_root);
  if (mode == CgroupMode::hybrid) hierarchies.push_back(cgroup_root / "unified");
  return hierarchies;
}

// Whether <state_root>/<name> belongs to a live benchrun, read at the moment of asking: a list of live
// instances made before the loops below would call an instance another benchrun starts meanwhile a
// leftover, and kill it. A state dir appears with its owner file (see StateDir::create) and before the
// instance's cgroup, and goes after it, so an instance seen anywhere has its owner readable.
bool owned_by_live_process(const std::filesystem::path& state_dir) {
  const auto owner = read_state_dir_owner(state_dir);
  return owner && process_alive(*owner);
}

// Mount points under `root` in this namespace, deepest first (from /proc/self/mountinfo; octal
// escapes of spaces do not occur in our names).
std::vector<std::filesystem::path> mounts_under(const std::filesystem::path& root) {
  std::istringstream mountinfo(sys::read_file("/proc/self/mountinfo"));
  std::vector<std::filesystem::path> found;
  const auto prefix = root.string() + "/";
  for (std::string line; std::getline(mountinfo, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, root_in_fs, mount_point;
    fields >> id >> parent >> device >> root_in_fs >> mount_point;
    if (mount_point.starts_with(prefix)) found.emplace_back(mount_point);
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.string().size() > b.string().size(); });
  return found;
}

}  // namespace

SweepResult sweep_leftovers(const std::filesystem::path& state_root, const std::filesystem::path& cgroup_root,
                            std::string_view name_prefix) {
  SweepResult result;
  // The peers first: their leftovers are judged by the state dirs removed below.
  const auto peers = oci::sweep_oci_leftovers(state_root, cgroup_root, name_prefix);
  result.peer_containers_removed = peers.containers_removed;
  result.cgroups_removed = peers.cgroups_removed;
  // Names outside the prefix are not ours to judge; a staging directory is judged by its own owner.
  const auto is_live = [&](const std::filesystem::path& dir) {
    const auto name = dir.filename().string();
    if (const auto doctor = attach_cost_cgroup_owner(name)) return process_alive(*doctor);  // benchrun doctor's
    const std::string_view instance = name.starts_with(staging_prefix)
                                          ? std::string_view(name).substr(std::string_view(staging_prefix).size())
                                          : name;
    return !instance.starts_with(name_prefix) || owned_by_live_process(state_root / name);
  };

  // Cgroups first: killing a leftover's processes ends its mount namespace and frees its overlay.
  for (const auto& hierarchy : benchrun_hierarchies(cgroup_root)) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(hierarchy / cgroup_parent_name, error)) {
      if (!entry.is_directory() || is_live(entry.path())) continue;
      sys::with_context("sweep", [&] { kill_and_remove_cgroup_dir(entry.path()); });
      ++result.cgroups_removed;
    }
  }
  // After the cgroups: nothing of a leftover instance holds the loop device's filesystem any more.
  result.loop_devices_removed = sweep_loop_devices();
  for (const auto& mount_point : mounts_under(state_root)) {
    const auto relative = mount_point.lexically_relative(state_root);
    if (relative.empty() || is_live(*relative.begin())) continue;
    if (::umount2(mount_point.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
      sys::throw_errno("sweep: umount " + mount_point.string());
    }
    ++result.mounts_removed;
  }
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(state_root, error)) {
    if (is_live(entry.path())) continue;
    std::error_code remove_error;
    std::filesystem::remove_all(entry.path(), remove_error);
    if (remove_error) throw sys::SystemError(remove_error.value(), "sweep: remove " + entry.path().string());
    ++result.state_dirs_removed;
  }
  remove_unused_cgroup_parents(cgroup_root);
  return result;
}

void remove_unused_cgroup_parents(const std::filesystem::path& cgroup_root) {
  for (const auto& hierarchy : benchrun_hierarchies(cgroup_root)) {
    // EBUSY: an instance (of this or another benchrun) still lives there; ENOENT: already gone.
    ::rmdir((hierarchy / cgroup_parent_name).c_str());
  }
}

}  // namespace benchrun::runtime
