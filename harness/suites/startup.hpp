// The startup suite: how long from launch to a running workload, and to a finished one. One step is one
// instance: launch -> READY -> RESULT -> exit -> teardown, timed on the host with CLOCK_MONOTONIC, plus the
// backend's own phases. Same code for every backend.
#pragma once

#include "harness/backend.hpp"
#include "harness/suites/registry.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

// One case: the workload of --workload with its arguments under the limit flags, named after the workload.
std::vector<reports::Case> startup_cases(const CaseFlags& flags);
// Each step measures one instance of the case.
Step make_startup_step(const SuiteOptions& options);

// Measures one instance. A failed instance (crash, timeout, OOM, setup error) comes back as a Sample with
// ok=false and its reason; only Interrupted escapes, after the instance was torn down. With `output`, the
// console lines that are not the protocol's and then the instance's stderr tail are appended to it.
reports::Sample measure_startup(Backend& backend, const InstanceSpec& spec, std::chrono::milliseconds timeout,
                                std::vector<std::string>* output = nullptr);

}  // namespace benchrun::harness
