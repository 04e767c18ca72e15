// What setting a backend up, or checking the host for it, may need from the command's options.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/options.hpp"
#include "harness/stop_signal.hpp"
#include "vm/accelerator.hpp"
#include "vm/kernel_cmdline.hpp"

namespace benchrun::harness {

struct BackendSetup {
  ImageChoice image;
  std::string run_id;       // names what the backend keeps for the run (e.g. the vm's state folder)
  std::string libvirt_uri;  // empty: the embedded driver under the state dir
  vm::AcceleratorRequest accel = vm::AcceleratorRequest::automatic;
  StopSignal& stop;
  // Guests: the cgroup layout their benchinit mounts (--guest-cgroup v2|v1|hybrid; none: the backend's
  // default) and more kernel parameters (--guest-kernel-args).
  std::optional<vm::CgroupLayout> guest_cgroup;
  std::vector<std::string> guest_kernel_args;
  // Some case asks a guest for a CPU quota or is judged by the limits suite: the vm backend's embedded libvirt
  // makes cgroups for its guests (vm/tunables.hpp).
  bool guest_limits = false;
  // The limits suite: each guest's limits are watched from the host while it runs (vm/tunables_view.hpp).
  bool watch_guest_limits = false;
  // The limits suite's devices check runs with its limit: the embedded libvirt puts each plain guest's QEMU in
  // a devices cgroup as well (vm/connection.hpp, EmbedCgroups::on_with_devices).
  bool guest_devices_cgroup = false;
  // --limits-off devices: the embedded libvirt makes no cgroups at all for plain guests (libvirt 9 attaches its
  // device program in the unified hierarchy whatever cgroup_controllers lists; measured on a hybrid host).
  bool guest_without_cgroups = false;
};

}  // namespace benchrun::harness
