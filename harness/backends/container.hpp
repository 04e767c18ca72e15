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

}  // namespace benchrun::harness
