#include "vm/sweep.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "vm/qemu_process.hpp"

namespace benchrun::vm {
namespace {

// Removes `dir` and the cgroups under it, leaves first; rmdir refuses any cgroup that still holds a task or a
// child, so a live guest's cgroups stay.
void remove_cgroup_tree(const std::filesystem::path& dir) {
  std::error_code error;
  for (const auto& child : std::filesystem::directory_iterator(dir, error)) {
    if (child.is_directory(error) && !child.is_symlink(error)) remove_cgroup_tree(child.path());
  }
  ::rmdir(dir.c_str());
}

}  // namespace

void remove_leftover_machine_cgroups(const std::string& prefix, const std::filesystem::path& cgroup_root) {
  std::error_code error;
  for (const auto& hierarchy : std::filesystem::directory_iterator(cgroup_root, error)) {
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(hierarchy.path() / "machine", ignored)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("qemu-embed-") && name.ends_with(".libvirt-qemu") &&
          name.find("-" + prefix) != std::string::npos && entry.is_directory(ignored)) {
        remove_cgroup_tree(entry.path());
      }
    }
  }
}

std::vector<std::string> sweep_leftovers(Connection& connection, const std::string& prefix,
                                         const std::filesystem::path& state_dir) {
  std::vector<std::string> removed;
  virDomainPtr* domains = nullptr;
  const int count = virConnectListAllDomains(connection.get(), &domains, 0);
  if (count < 0) throw libvirt_error("virConnectListAllDomains");
  // Take ownership of every handle first so none leaks when one destroy throws.
  std::vector<VirDomain> owned;
  owned.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) owned.emplace_back(domains[i]);
  std::free(domains);  // NOLINT(cppcoreguidelines-no-malloc): libvirt allocated the array

  for (const auto& domain : owned) {
    const std::string name = virDomainGetName(domain.get());
    if (name.rfind(prefix, 0) != 0) continue;
    sys::with_context(fmt::format("sweep domain {}", name), [&] {
      std::optional<pid_t> pid;
      if (connection.is_local()) pid = find_qemu_pid(name, connection.embed_root());
      // Watch (and, if it is our child, reap) QEMU while it is being killed.
      std::optional<QemuReaper> reaper;
      if (pid) reaper.emplace(*pid);
      if (virDomainIsActive(domain.get()) == 1 && virDomainDestroy(domain.get()) < 0 &&
          virDomainIsActive(domain.get()) == 1) {
        throw libvirt_error("virDomainDestroy");
      }
      if (virDomainIsPersistent(domain.get()) == 1 && virDomainUndefine(domain.get()) < 0) {
        throw libvirt_error("virDomainUndefine");
      }
      removed.push_back(name);
    });
  }

  // A domain whose QEMU went while no connection with cgroups watched it (a killed run's, destroyed here by a
  // connection that makes none, or one that powered off after its run was killed) leaves the cgroups libvirt
  // made for it.
  if (connection.is_local()) remove_leftover_machine_cgroups(prefix);

  if (!state_dir.empty()) {
    std::error_code error;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(state_dir, error)) {
      const auto file_name = entry.path().filename().string();
      const bool console_fifo =
          entry.is_fifo() && (file_name.ends_with(".console.in") || file_name.ends_with(".console.out"));
      const bool results_file = entry.is_regular_file() && file_name.ends_with(".results");  // guest_results.hpp
      if (file_name.rfind(prefix, 0) == 0 && (console_fifo || results_file)) {
        std::filesystem::remove(entry.path(), error);
      }
    }
  }
  return removed;
}

}  // namespace benchrun::vm
