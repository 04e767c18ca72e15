// Runs a suite over its backends: warm-up rounds, then interleaved repetitions (A B C A B C …) so that
// drift of a noisy machine hits every backend alike. Every sample is appended to the samples log the
// moment it is taken; a failed instance is recorded and the run goes on; a stop request ends the run
// after the current instance was torn down.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "harness/backend.hpp"
#include "harness/progress.hpp"
#include "reports/model.hpp"
#include "reports/samples_log.hpp"

namespace benchrun::harness {

struct RunPlan {
  std::string run_id;
  std::vector<std::unique_ptr<Backend>> backends;
  std::string workload;
  std::vector<std::string> workload_args;
  Limits limits;
  int warmup = 1;
  int runs = 10;
  std::chrono::milliseconds timeout{30'000};
};

// Measures one instance of a backend: the suite's part of the loop.
using Measure = std::function<reports::Sample(Backend&, const InstanceSpec&, std::chrono::milliseconds timeout)>;

struct RunOutcome {
  std::vector<reports::Sample> samples;
  bool interrupted = false;
};

RunOutcome run_plan(const RunPlan& plan, const Measure& measure, reports::SamplesLog& log, Progress& progress);

// benchrun-<run id>-<n>: the name of every resource instance n of a run creates.
std::string instance_name(const std::string& run_id, int instance_number);
// benchrun-<run id>-<role>: an instance a run starts for itself, e.g. the KVM probe guest.
std::string instance_name(const std::string& run_id, std::string_view role);
// A fresh id: UTC time plus random hex, e.g. 20261123-164210-3f9a.
std::string make_run_id();

}  // namespace benchrun::harness
