// benchrun cleanup: removes every cgroup, mount, state folder, process and guest that killed runs left.
#include <fmt/format.h>

#include "harness/backends/vm.hpp"
#include "harness/commands/commands.hpp"
#include "runtime/sweep.hpp"

namespace benchrun::harness {

int run_cleanup(const CleanupCommand& options) {
  int status = exit_ok;
  try {
    const auto swept = runtime::sweep_leftovers();
    fmt::print(
        "containers: removed {} cgroups, {} state folders, {} mounts, {} crun/runc containers, {} loop devices\n",
        swept.cgroups_removed, swept.state_dirs_removed, swept.mounts_removed, swept.peer_containers_removed,
        swept.loop_devices_removed);
  } catch (const std::exception& error) {
    fmt::print(stderr, "benchrun: cleanup: containers: {}\n", error.what());
    status = exit_failure;
  }
  try {
    const int guests = load_vm_plugin().sweep_leftovers(options.libvirt_uri, VmBackendOptions{}.state_dir);
    fmt::print("guests: removed {} leftovers\n", guests);
  } catch (const std::exception& error) {
    fmt::print(stderr, "benchrun: cleanup: guests: {}\n", error.what());
    status = exit_failure;
  }
  return status;
}

}  // namespace benchrun::harness
