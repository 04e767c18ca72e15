#include "libvirt_cgroups.hpp"

#include <filesystem>
#include <system_error>

namespace benchrun::testing {

std::set<std::string> libvirt_guest_cgroups() {
  std::set<std::string> found;
  std::error_code ignored;
  for (const auto& hierarchy : std::filesystem::directory_iterator("/sys/fs/cgroup", ignored)) {
    for (const auto& entry : std::filesystem::directory_iterator(hierarchy.path() / "machine", ignored)) {
      if (entry.is_directory() && entry.path().filename().string().starts_with("qemu-embed-"))
        found.insert(entry.path().string());
    }
  }
  return found;
}

std::string libvirt_guest_cgroups_since(const std::set<std::string>& before) {
  std::string left;
  for (const auto& path : libvirt_guest_cgroups()) {
    if (!before.contains(path)) left += path + "\n";
  }
  return left;
}

std::string libvirt_guest_cgroups_of_run(const std::string& run_id) {
  std::string left;
  for (const auto& path : libvirt_guest_cgroups()) {
    if (path.find("benchrun-" + run_id) != std::string::npos) left += path + "\n";
  }
  return left;
}

}  // namespace benchrun::testing
