// Runs a suite over its backends: warm-up rounds, then interleaved repetitions (A B C A B C …) so that
// drift of a noisy machine hits every backend alike. Within a round each backend takes its start modes
// back to back: cold (after a settle time with no launch at all) then warm (right after that cold launch),
// so a backend's figures never depend on which other backends share the run. Every sample is appended to the samples log the
// moment it is taken; a failed instance is recorded and the run goes on; a stop request ends the run
// after the current instance was torn down.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "harness/backend.hpp"
#include "harness/progress.hpp"
#include "reports/model.hpp"
#include "reports/samples_log.hpp"

namespace benchrun::harness {

// How long the host must go without any launch for the next one to be cold. On cgroup v1 the first attach
// to cgroup.procs after an idle gap takes the threadgroup percpu rwsem for writing, whose rcu_sync_enter
// waits a full RCU grace period once the previous writer's grace period has run out (rcu_sync goes back
// to idle one grace period after the last writer). Measured here (Debian 12, kernel 6.18, HZ=250, 2 noisy
// cores; a child attached to memory, cpu, cpuacct and pids after an idle gap, median of 15):
//   gap 0-15 ms: 0.07-0.25 ms   gap 20 ms: mixed   gap 30-200 ms: ~12 ms (some tries warm: other
//   processes on the host attach too).
// 100 ms is three times the gap at which the cost appears, margin for grace periods that stretch under
// load, and cheap next to a sample (a container lives ~10 ms, a guest ~2 s).
inline constexpr std::chrono::milliseconds cold_start_settle{100};

struct RunPlan {
  std::string run_id;
  std::vector<std::unique_ptr<Backend>> backends;
  std::string workload;
  std::vector<std::string> workload_args;
  Limits limits;
  int warmup = 1;
  int runs = 10;
  std::chrono::milliseconds timeout{30'000};
  // Measured in each round for each backend, in this order. Warm alone is primed by an unmeasured launch
  // of the same backend; cold then warm needs no primer, the cold launch is one.
  std::vector<reports::StartMode> start_modes{reports::StartMode::cold, reports::StartMode::warm};
  std::chrono::milliseconds cold_settle = cold_start_settle;  // tests make it small
};

// Measures one instance of a backend: the suite's part of the loop.
using Measure = std::function<reports::Sample(Backend&, const InstanceSpec&, std::chrono::milliseconds timeout)>;

struct RunOutcome {
  std::vector<reports::Sample> samples;
  bool interrupted = false;
};

RunOutcome run_plan(const RunPlan& plan, const Measure& measure, reports::SamplesLog& log, Progress& progress);

// How many launches run_plan makes per backend per round (measured ones plus a primer where warm needs one).
int launches_per_round(const std::vector<reports::StartMode>& start_modes);

// benchrun-<run id>-<n>: the name of every resource instance n of a run creates.
std::string instance_name(const std::string& run_id, int instance_number);
// A fresh id: UTC time plus random hex, e.g. 20261123-164210-3f9a.
std::string make_run_id();

}  // namespace benchrun::harness
