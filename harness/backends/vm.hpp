// The vm backend lives in a plugin (libbenchrun_vm_backend.so) loaded only when a command needs it:
// linking libvirt into benchrun would add tens of milliseconds of dynamic loading to every start,
// `benchrun run --backend container` included, which is what the container figures measure.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/backend.hpp"
#include "harness/backends/backend_setup.hpp"
#include "harness/commands/doctor_check.hpp"
#include "harness/stop_signal.hpp"
#include "vm/accelerator.hpp"
#include "vm/kernel_cmdline.hpp"

namespace benchrun::harness {

struct VmBackendOptions {
  std::string libvirt_uri;  // empty: the embedded QEMU driver under state_dir
  std::filesystem::path state_dir = "/var/lib/benchrun";
  ImageChoice image;
  std::string run_id;
  vm::AcceleratorRequest accel = vm::AcceleratorRequest::automatic;
  // The emulator wrapper next to benchrun (stamps the qemu_exec phase); empty: plain QEMU, no such phase.
  std::filesystem::path emulator_wrapper;
  // vm+container: the guest (image "guest") runs the workload in a container of benchrun's own runtime,
  // nested_container_argv (vm_container.hpp); `own_executable` finds benchrun in that image.
  bool nested_container = false;
  std::filesystem::path own_executable;
  // benchrun.cgroup=v2|v1|hybrid for the guest's benchinit; none: nothing mounted (vm+container: v2).
  std::optional<vm::CgroupLayout> guest_cgroup;
  std::vector<std::string> guest_kernel_args;  // more kernel parameters, after benchrun's own
  // Guests' limits become libvirt tunables (BackendSetup::guest_limits): the embedded driver makes cgroups (a
  // CPU quota needs them).
  bool guest_limits = false;
  // Each guest's limits are watched from the host while it runs (the limits suite; a polling thread per guest).
  bool watch_guest_limits = false;
  // With guest_limits: the embedded driver also puts QEMU in a devices cgroup (plain vm guests; the limits
  // suite's devices check, BackendSetup::guest_devices_cgroup).
  bool guest_devices_cgroup = false;
  // Plain vm guests get no cgroups at all (--limits-off devices, BackendSetup::guest_without_cgroups).
  bool guest_without_cgroups = false;
};

// `benchrun run --backend vm`: one guest of the image running one command (harness/commands/run.cpp).
struct VmRunOptions {
  VmBackendOptions backend;
  std::vector<std::string> argv;              // the command, resolved in the image's rootfs, and its arguments
  std::optional<std::uint64_t> memory_bytes;  // the guest's memory (default 256 MiB)
  std::optional<double> cpus;                 // its vCPUs, rounded up (default 1)
  std::optional<vm::CgroupLayout> cgroup_layout;
  std::filesystem::path results_dir;  // non-empty: what the command wrote under /results lands here
  std::optional<std::chrono::seconds> timeout;
  bool verbose = false;  // the guest's boot lines and benchinit's READY/RESULT on stderr
};

// Where the KVM probe verdicts are kept (see vm/kvm_probe_cache.hpp).
inline std::filesystem::path kvm_probe_cache_file(const std::filesystem::path& state_dir) {
  return state_dir / "kvm-probe.json";
}

// The plugin's entry points. Bumped whenever this struct or the types it passes change.
// 10: Instance gained host_view_now(), and the vm instance freezes (freeze/thaw: virDomainSuspend/Resume).
// 11: VmBackendOptions and InstanceSpec gained the host-side devices probe of a guest (probe_host_devices).
// 12: InstanceSpec gained guest_kernel_parameters (vm+container's scratch disk: benchrun.scratch=).
inline constexpr int vm_plugin_abi = 12;
struct VmPluginApi {
  int abi = vm_plugin_abi;
  std::unique_ptr<Backend> (*make_backend)(const VmBackendOptions& options, StopSignal& stop);
  DoctorCheck (*check_connection)(const std::string& libvirt_uri, const std::filesystem::path& state_dir);
  // The accelerator guests get (probing where the host leaves it open); required when KVM was asked for.
  DoctorCheck (*check_accelerator)(const VmBackendOptions& options, StopSignal& stop);
  // Destroys guests and state of killed runs; returns how many it removed.
  int (*sweep_leftovers)(const std::string& libvirt_uri, const std::filesystem::path& state_dir);
  // Boots one guest running options.argv; prints its output, returns its exit status (128+signal when
  // killed, or when a stop signal ended the run). Throws Error naming the fix when it cannot.
  int (*run_command)(const VmRunOptions& options, StopSignal& stop);
};

// Loads the plugin (next to the benchrun executable, or $BENCHRUN_PLUGIN_DIR). Throws Error naming the fix.
const VmPluginApi& load_vm_plugin();

// The registry's entry points: they load the plugin.
std::unique_ptr<Backend> make_vm_backend(const BackendSetup& setup);
// vm+container: image "guest", the workload in a container inside it (vm_container.hpp).
std::unique_ptr<Backend> make_vm_container_backend(const BackendSetup& setup);
// Image "guest" with benchrun and the nested image (the guests' own checks are vm's).
std::vector<DoctorCheck> vm_container_host_checks(const BackendSetup& setup);
// benchrun run --backend vm (loads the plugin).
int run_in_vm(const VmRunOptions& options, StopSignal& stop);
// QEMU, the libvirt connection and the accelerator guests get (a probe boot where /dev/kvm is doubtful).
std::vector<DoctorCheck> vm_host_checks(const BackendSetup& setup);

}  // namespace benchrun::harness

extern "C" const benchrun::harness::VmPluginApi* benchrun_vm_plugin();
