// Backends by name, as the CLI names them.
#pragma once

#include <memory>
#include <vector>

#include "harness/backend.hpp"
#include "harness/stop_signal.hpp"

namespace benchrun::harness {

// One backend per name in options.backends, in that order. Throws Error when one cannot be set up
// (e.g. libvirt unreachable), before anything is measured.
std::vector<std::unique_ptr<Backend>> make_backends(const SuiteOptions& options, const std::string& run_id,
                                                    StopSignal& stop);

}  // namespace benchrun::harness
