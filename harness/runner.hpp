// Runs a suite's step over cases x backends: warm-up rounds, then interleaved repetitions (round r: for each case,
// for each backend, its start modes; A B C A B C …) so that drift of a noisy machine hits every case and backend
// alike. Within a round each backend takes its start modes
// back to back: cold (after a settle time with no launch at all) then warm (right after that cold launch),
// so a backend's figures never depend on which other backends share the run. Every sample is appended to the samples
// log the moment it is taken; a failed instance is recorded and the run goes on; a stop request ends the run after the
// current instance was torn down.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "harness/backend.hpp"
#include "harness/progress.hpp"
#include "harness/suite.hpp"
#include "reports/model.hpp"
#include "reports/samples_log.hpp"

namespace benchrun::harness {

// How long the host must go without any launch for the next one to be cold. On cgroup v1 the first write to
// a cgroup.procs takes the kernel's threadgroup percpu rwsem for writing, and its rcu_sync_enter waits a full
// RCU grace period once the previous writer's grace period has run out (rcu_sync returns to idle one grace
// period after the last writer). Measured here (Debian 12, kernel 6.18, HZ=250, 2 shared cores; a paused
// child attached to memory, cpu, cpuacct and pids after an idle gap; median of 7, quiet moment):
//   gap 0 ms 0.15 ms | 5 ms 0.18 | 10 ms 0.26 | 15 ms 0.30 | 20 ms 0.50 (some tries 28 ms) | 30 ms 12.1 |
//   50 ms 8.4 | 100 ms 1.6 | 200 ms 0.5
// The cost appears between 20 and 30 ms (one grace period, longer under load). Beyond that, cold tries are
// warmed at random by other processes of this shared host attaching to cgroups (container tests, libvirt),
// which no settle time can prevent; doctor's medians show the same. 100 ms is over three times the onset,
// margin for grace periods that stretch under load, and cheap next to a sample (a container lives ~10 ms,
// a guest ~2 s). With a named v1 hierarchy mounted with favordynmods every gap measured ~0.2 ms, and so it
// did once /sys/kernel/rcu_expedited was 1 (the suite warns then: see cold_start_warning in suite.cpp).
inline constexpr std::chrono::milliseconds cold_start_settle{100};

struct RunPlan {
  std::string run_id;
  std::vector<std::unique_ptr<Backend>> backends;
  std::vector<reports::Case> cases;  // each round takes them in this order
  int warmup = 1;
  int runs = 10;
  std::chrono::milliseconds timeout{30'000};
  // Measured in each round for each case and backend, back to back in this order. A warm sample that opens a
  // backend's turn (--start warm) is primed by an unmeasured launch of the same backend; after cold it
  // needs none, the cold launch is its primer.
  std::vector<reports::StartMode> start_modes{reports::StartMode::cold, reports::StartMode::warm};
  std::chrono::milliseconds cold_settle = cold_start_settle;  // tests make it small
};

struct RunOutcome {
  std::vector<reports::Sample> samples;
  std::vector<reports::Series> series;
  std::vector<reports::Verdict> verdicts;
  std::vector<std::string> notes;
  bool interrupted = false;
};

RunOutcome run_plan(const RunPlan& plan, const Step& step, reports::SamplesLog& log, Progress& progress);

// How many steps run_plan takes per case and backend per round (measured ones plus a primer where warm needs one).
int launches_per_round(const std::vector<reports::StartMode>& start_modes);
// How many steps run_plan takes in all: what the progress line counts.
int steps_in(const RunPlan& plan);

// benchrun-<run id>-<n>: the name of every resource instance n of a run creates.
std::string instance_name(const std::string& run_id, int instance_number);
// benchrun-<run id>-<role>: an instance a run starts for itself, e.g. the KVM probe guest.
std::string instance_name(const std::string& run_id, std::string_view role);
// A fresh id: UTC time plus random hex, e.g. 20261123-164210-3f9a.
std::string make_run_id();

}  // namespace benchrun::harness
