// The accelerator of a run's guests, chosen where libvirt is at hand (the vm plugin): the host's
// assessment (vm/accelerator.hpp), what the libvirt connection offers, and where neither is certain a
// probe boot of the image under KVM, its verdict cached per host kernel, QEMU and libvirt version.
#pragma once

#include <filesystem>
#include <string>

#include "harness/stop_signal.hpp"
#include "vm/accelerator.hpp"
#include "vm/connection.hpp"

namespace benchrun::harness {

struct AcceleratorContext {
  vm::AcceleratorRequest request = vm::AcceleratorRequest::automatic;
  std::filesystem::path image_dir;      // the image a probe boots
  std::filesystem::path run_state_dir;  // where the probe guest's boot files and console fifo live
  std::filesystem::path cache_file;     // the probe verdicts
  std::string probe_guest_name;         // benchrun-<run>-kvm-probe: swept like every guest of a run
};

// Throws vm::AcceleratorUnavailable for --accel kvm where KVM cannot work; Interrupted on a stop request
// during the probe.
vm::AcceleratorChoice choose_guest_accelerator(vm::Connection& connection, const AcceleratorContext& context,
                                               StopSignal& stop);

}  // namespace benchrun::harness
