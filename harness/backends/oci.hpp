// The peers: crun and runc running the same container as ours (runtime/oci/: an OCI bundle written from the
// ContainerConfig container_config() makes of the spec), so `oci:crun` and `oci:runc` sit next to
// `container` in every suite.
#pragma once

#include <memory>
#include <vector>

#include "harness/backend.hpp"
#include "harness/backends/backend_setup.hpp"
#include "harness/commands/doctor_check.hpp"

namespace benchrun::harness {

std::unique_ptr<Backend> make_crun_backend(const BackendSetup& setup);
std::unique_ptr<Backend> make_runc_backend(const BackendSetup& setup);
// The runtime on PATH, its version, and on a hybrid host the workaround crun needs.
std::vector<DoctorCheck> crun_host_checks(const BackendSetup& setup);
std::vector<DoctorCheck> runc_host_checks(const BackendSetup& setup);

}  // namespace benchrun::harness
