#include "harness/suites/registry.hpp"

#include <algorithm>

#include "harness/suites/density.hpp"
#include "harness/suites/isolation.hpp"
#include "harness/suites/limits.hpp"
#include "harness/suites/overhead.hpp"
#include "harness/suites/overhead_network.hpp"
#include "harness/suites/startup.hpp"

namespace benchrun::harness {
namespace {

const SuiteEntry suites[] = {
    {"startup", "how long from launch to a running workload, and to a finished one", &startup_cases, &make_startup_step,
     10, 1, "both"},
    {"density", "how many idle instances fit, how fast they start and stop, what each costs", &density_cases,
     &make_density_step, 1, 0, "cold"},
    {"limits", "do the limits hold: one verdict per check (memory, CPU quota, pids, cpuset), exit 1 on a failure",
     &limits_cases, &make_limits_step, 1, 0, "cold"},
    {"overhead", "how much slower a workload runs in a container, in crun or runc, in a VM: ratios to native",
     &overhead_cases, &make_overhead_step, 5, 1, "cold"},
    // The overhead suite's network cases on their own (harness/suites/overhead_network.hpp).
    {"network", "TCP round-trip latency and stream throughput to a peer behind a veth, per backend",
     &network_suite_cases, &make_network_step, 5, 1, "cold"},
    {"isolation", "what can an instance see of the host and do to it: one verdict per check and backend",
     &isolation_cases, &make_isolation_step, 1, 0, "cold"},
};

}  // namespace

std::span<const SuiteEntry> suite_registry() { return suites; }

const SuiteEntry* find_suite(std::string_view name) {
  const auto found = std::find_if(std::begin(suites), std::end(suites), [&](const auto& s) { return s.name == name; });
  return found == std::end(suites) ? nullptr : &*found;
}

}  // namespace benchrun::harness
