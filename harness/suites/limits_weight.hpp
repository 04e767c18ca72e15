// The limits suite's CPU weight check: two burners on one CPU share it in proportion to their weights.
// Two instances of the backend run at once, both pinned (cpuset) to the host's last CPU, one at weight 100
// and one at 300 (v2 cpu.weight; v1 cpu.shares through weight_to_shares, 2597 and 7840; OCI
// linux.resources.cpu.shares). Each burner sleeps until a start time both were given, then burns for the same
// wall time and reports its own CPU time; the host reads each instance's cgroup CPU usage after it ended.
// The heavier one's share of the two is expected at 300 / (100 + 300) = 0.75 (v1: 7840 / 10437 = 0.751).
//
// Tolerance, and why: test_cpu.c's test_cpucg_weight_overprovisioned runs weights 50/100/150 hogging every
// CPU for 10 s and accepts each step of usage within the kernel's values_close(step, first, 35), i.e.
// |step - first| <= 35 % of their sum; for two at 1:3 (step = heavy - light, expected 2 * light) that is the
// heavier's share within 0.675..0.824. Ours, values_close(share, 0.75, 10 %) on the share itself (our
// values_close is mean-relative), is 0.679..0.829: the same width, and the default weights' even split
// (0.5, what --limits-off runs) is far outside. Pinned to one CPU with aligned burns, the split is the
// scheduler's alone: measured here within 0.2 % of 0.751 (README's limits section).
#pragma once

#include <cstdint>
#include <optional>

#include "harness/suite.hpp"
#include "harness/suites/limits_checks.hpp"

namespace benchrun::harness {

inline constexpr std::uint64_t light_cpu_weight = 100;
inline constexpr std::uint64_t heavy_cpu_weight = 300;
inline constexpr double cpu_weight_tolerance = 0.10;
// The burns start this long after the first launch (both instances must be up by then), and last this long.
inline constexpr std::uint64_t weight_start_lead_ms = 2500;
inline constexpr std::uint64_t weight_burn_ms = 3000;
// The burns must start within this of each other (5 % of the burn) for their shares to be comparable.
inline constexpr double weight_start_skew_ms = 150;

// What the two instances of one run of the check showed.
struct WeightObservation {
  Observation light;      // configured at light_cpu_weight (nothing under --limits-off)
  Observation heavy;      // at heavy_cpu_weight
  bool cgroup_v1 = true;  // the weights are cpu.shares (v1, hybrid) or cpu.weight (v2)
  bool limit_applied = true;
};

// The heavier instance's expected share of the two: from the weights as the host's cgroup version spells them.
double expected_heavy_share(bool cgroup_v1);

std::vector<reports::Verdict> judge_cpu_weight(const LimitCheck& check, const WeightObservation& seen);

// LimitCheck::measure of the check: launches both, reads and judges them.
StepResult measure_cpu_weight(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off);

// The check's entry in limit_checks(): pinned to `cpuset` (the host's last CPU).
LimitCheck cpu_weight_check(const std::string& cpuset);

}  // namespace benchrun::harness
