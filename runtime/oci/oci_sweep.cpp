#include "runtime/oci/oci_sweep.hpp"

#include <signal.h>

#include <chrono>
#include <set>
#include <sstream>
#include <string>

#include "runtime/cgroup/cgroup_dir.hpp"
#include "runtime/oci/oci_config.hpp"
#include "runtime/oci/oci_container.hpp"
#include "runtime/oci/runtime_process.hpp"
#include "runtime/state_dir.hpp"
#include "sys/error.hpp"

namespace benchrun::runtime::oci {
namespace {

constexpr auto list_timeout = std::chrono::seconds(30);

bool owned_by_live_process(const std::filesystem::path& state_dir) {
  const auto owner = read_state_dir_owner(state_dir);
  return owner && (::kill(*owner, 0) == 0 || errno == EPERM);
}

std::set<std::string> listed_containers(const RuntimeSetup& runtime, std::string_view prefix) {
  const auto deadline =
      sys::monotonic_now() + static_cast<sys::MonotonicNs>(std::chrono::nanoseconds(list_timeout).count());
  std::istringstream lines(run_runtime(runtime, {"list", "--quiet"}, deadline));
  std::set<std::string> names;
  for (std::string name; std::getline(lines, name);) {
    if (name.starts_with(prefix)) names.insert(name);
  }
  return names;
}

// <root>/<name> (v2) and <hierarchy>/<name> in each v1 hierarchy and the unified tree (symlinked aliases such
// as cpu -> cpu,cpuacct skipped).
std::vector<std::filesystem::path> instance_dirs(const std::filesystem::path& cgroup_root, const std::string& name) {
  std::vector<std::filesystem::path> found;
  if (std::filesystem::is_directory(cgroup_root / name)) found.push_back(cgroup_root / name);
  std::error_code error;
  for (const auto& hierarchy : std::filesystem::directory_iterator(cgroup_root, error)) {
    if (hierarchy.is_symlink() || !hierarchy.is_directory()) continue;
    if (std::filesystem::is_directory(hierarchy.path() / name)) found.push_back(hierarchy.path() / name);
  }
  return found;
}

}  // namespace

int remove_peer_cgroups(const std::filesystem::path& cgroup_root, const std::string& name) {
  int removed = 0;
  for (const auto& dir : instance_dirs(cgroup_root, name)) {
    for (const auto& path : {dir / runtime_cgroup_leaf, dir}) {
      if (!std::filesystem::is_directory(path)) continue;
      kill_and_remove_cgroup_dir(path);
      ++removed;
    }
  }
  return removed;
}

OciSweepResult sweep_oci_leftovers(const std::filesystem::path& state_root, const std::filesystem::path& cgroup_root,
                                   std::string_view name_prefix) {
  OciSweepResult result;
  const CgroupMode mode = detect_cgroup_mode(cgroup_root);
  std::vector<RuntimeSetup> runtimes;
  std::set<std::string> candidates;
  for (const Runtime runtime : {Runtime::crun, Runtime::runc}) {
    const RuntimeSetup setup = runtime_setup_for(runtime, mode);
    if (!std::filesystem::is_directory(setup.state_root())) continue;
    runtimes.push_back(setup);
    candidates.merge(listed_containers(setup, name_prefix));
  }
  // A bundle whose runtime container is gone may still have cgroups (a runtime killed mid-delete).
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(state_root, error)) {
    const auto name = entry.path().filename().string();
    if (name.starts_with(name_prefix)) candidates.insert(name);
  }
  for (const auto& name : candidates) {
    // Judged at the moment of looking (see runtime/sweep.cpp): a live run's instance is never taken.
    if (owned_by_live_process(state_root / name)) continue;
    for (const auto& runtime : runtimes) {
      if (!std::filesystem::exists(runtime.state_root() / name)) continue;
      sys::with_context("sweep", [&] { delete_container(runtime, name); });
      ++result.containers_removed;
    }
    result.cgroups_removed += sys::with_context("sweep", [&] { return remove_peer_cgroups(cgroup_root, name); });
  }
  return result;
}

}  // namespace benchrun::runtime::oci
