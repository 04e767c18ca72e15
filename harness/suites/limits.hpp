// The limits suite: do the limits hold? One case per check (limits_checks.hpp: memory, cpu-quota, pids,
// cpuset); a step runs the check's workload under its limit on one backend, reads the instance's cgroup from
// the host (limits_host.hpp) after the workload ended and before teardown, and judges both sides into
// verdicts. A failed verdict makes the run exit 1, so CI can gate on it. --limits-off CHECK runs a check
// without its limit, which must flip its verdicts to fail (a check that cannot fail is not a check).
// A check with its own run (LimitCheck::observe, e.g. the freezer's, limits_freezer.hpp) replaces that step's
// run-to-the-end and read-after-exit.
#pragma once

#include "harness/backend.hpp"
#include "harness/suites/registry.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

// One case per check; the suite sets its own limits, so the limit flags (--memory, ...) are refused.
std::vector<reports::Case> limits_cases(const CaseFlags& flags);
Step make_limits_step(const SuiteOptions& options);

}  // namespace benchrun::harness
