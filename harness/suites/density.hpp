// The density suite: how many instances fit on this host, how fast they start, what each costs. One step
// starts `idle` instances (benchinit holding a workload that waits) until the count, the memory budget, the
// time budget, a kernel limit or the first failure; then measures every instance's idle memory and tears
// them all down, timed. Up to --parallel launches (and teardowns) are in flight at once. Same code for every
// backend; see density_results.hpp for what comes out and density_limits.hpp for the limits it watches.
#pragma once

#include <cstdint>

#include "harness/backend.hpp"
#include "harness/suites/registry.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

// The count a backend kind holds without --count, sized so a quick run takes about two minutes here:
// 500 host instances, 8 guests.
std::uint64_t default_density_count(reports::BackendKind kind);

// One case: the `idle` workload under the limit flags (--workload is not used: the instances must idle).
std::vector<reports::Case> density_cases(const CaseFlags& flags);
Step make_density_step(const SuiteOptions& options);

// Runs one density step on `backend`.
StepResult measure_density(Backend& backend, const StepInput& input, const DensityOptions& options);

}  // namespace benchrun::harness
