// The cgroups libvirt's embedded driver makes for guests (/machine/qemu-embed-...), for the vm integration tests
// that check a run leaves none of its own behind.
#pragma once

#include <set>
#include <string>

namespace benchrun::testing {

// Every such cgroup there now, in any hierarchy (the devices one included).
std::set<std::string> libvirt_guest_cgroups();

// Those there now and not `before`, one a line ("" when none): the machine is shared, and a killed run of
// another test may have left its own, which are not this run's.
std::string libvirt_guest_cgroups_since(const std::set<std::string>& before);

// Those of run `run_id`'s guests (their names hold "benchrun-<run id>"), one a line ("" when none).
std::string libvirt_guest_cgroups_of_run(const std::string& run_id);

}  // namespace benchrun::testing
