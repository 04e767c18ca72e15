// The baseline: benchinit and the workload from the image, run as plain host processes. No namespaces,
// no cgroup, no limits: what every other backend's cost is measured against.
#pragma once

#include <memory>

#include "harness/backend.hpp"
#include "harness/backends/backend_setup.hpp"

namespace benchrun::harness {

std::unique_ptr<Backend> make_native_backend(const BackendSetup& setup);

}  // namespace benchrun::harness
