// benchrun's own runtime (runtime/): namespaces, cgroup with the case's limits, overlay + pivot_root into the
// image, benchinit as PID 1.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "harness/backend.hpp"
#include "harness/backends/backend_setup.hpp"
#include "harness/commands/doctor_check.hpp"
#include "harness/console_reader.hpp"
#include "runtime/container.hpp"
#include "runtime/container_config.hpp"

namespace benchrun::harness {

std::unique_ptr<Backend> make_container_backend(const BackendSetup& setup);
// Cgroups, their attach cost, namespaces, overlayfs, seccomp (container_checks.cpp).
std::vector<DoctorCheck> container_host_checks(const BackendSetup& setup);

// The container `spec` asks for, from the image at `rootfs`: benchinit, given `benchinit_flags`, runs the
// workload as PID 1's child; every switch and limit of the spec applies. The one place the harness's
// InstanceSpec meets the runtime's ContainerConfig (the suite's backend and `benchrun run` both use it).
runtime::ContainerConfig container_config(const std::filesystem::path& rootfs, const InstanceSpec& spec,
                                          const std::vector<std::string>& benchinit_flags);

// Starts a container instance (ours or a peer's) whose stdout and stderr are pipes: `start(config)` gets the
// config with the pipes' write ends set and starts the instance; our copies of the write ends are closed
// after it returned (or the console would never see EOF), and the returned reader reads the read ends.
template <class Start>
ConsoleReader start_with_console(runtime::ContainerConfig config, StopSignal& stop, Start&& start) {
  sys::Pipe out = sys::make_pipe();
  sys::Pipe err = sys::make_pipe();
  config.stdout_fd = out.write_end.get();
  config.stderr_fd = err.write_end.get();
  start(config);
  out.write_end.reset();
  err.write_end.reset();
  return ConsoleReader(std::move(out.read_end), std::move(err.read_end), stop);
}

// How a container ended, in the Instance's words.
inline InstanceExit instance_exit_of(const runtime::ExitStatus& status) {
  return InstanceExit{status.exit_code, status.signal, status.oom_killed, status.at};
}

// What a container's cgroup says, in the Instance's words.
inline InstanceStats instance_stats_of(const runtime::CgroupStats& cgroup) {
  return InstanceStats{cgroup.memory_peak_bytes, cgroup.cpu_usage_ns, cgroup.memory_current_bytes};
}

}  // namespace benchrun::harness
