// The limits suite's freezer check: a frozen instance makes no progress and resumes intact. The `ticker`
// workload (bench/workloads/ticker.cpp) does checksummed work for 4 s, timing every chunk; after 1 s of it
// the instance is frozen through its backend (ours: the cgroup freezer, runtime/cgroup/freezer.hpp; crun and
// runc: `<runtime> pause`), held frozen for a 2 s window, thawed, and left to finish. Three verdicts, each
// from a side read independently:
// - freezer.no_progress (the host): the kernel reports the cgroup frozen at the start and at the end of the
//   window, and the cgroup's CPU usage grows by at most 1 % of one CPU over it (a frozen task is never
//   scheduled, so 0 is expected; the 1 % is room for the usage counter's update at the freeze itself);
// - freezer.gap_seen (the workload): the ticker's largest gap between two consecutive chunks is at least the
//   window, less 5 %. It holds the whole window in principle (its last chunk ended before the freeze took
//   hold, the next after the thaw); the 5 % is room for the host's own reads around the window;
// - freezer.resumed_intact (both): the host saw the instance frozen, then thawed; the ticker went on after its
//   gap, reported its RESULT, exited 0, and a replay of its chunks on fresh memory gave the same words.
// --limits-off freezer runs the same schedule without the freeze: all three fail.
#pragma once

#include "harness/suites/limits_checks.hpp"

namespace benchrun::harness {

// The check as limit_checks() lists it.
LimitCheck freezer_check();

// The check's run (LimitCheck::observe): launch, run, freeze, read the host's view in the window, thaw, finish.
Observation observe_freezer(const LimitCheck& check, Backend& backend, const InstanceSpec& spec,
                            const std::filesystem::path& cgroup_relative, bool limit_off, sys::MonotonicNs deadline,
                            reports::Sample& sample);

std::vector<reports::Verdict> judge_freezer(const LimitCheck& check, const Observation& seen);

// The schedule and the tolerances (see above), for tests.
inline constexpr double freezer_window_ms = 2000.0;
inline constexpr double freezer_cpu_share = 0.01;      // of one CPU over the window
inline constexpr double freezer_gap_tolerance = 0.05;  // of the window

}  // namespace benchrun::harness
