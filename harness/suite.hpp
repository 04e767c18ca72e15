// What a suite is to the runner: a step that measures one case on one backend. Usually a step is one
// instance and one Sample (startup); a step may also start many instances and return many samples and
// series (density keeps hundreds alive in one step). The runner repeats steps over cases, backends,
// start modes and rounds; the suite owns what happens inside one.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "harness/backend.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

struct StepInput {
  const reports::Case& test_case;
  // A fresh resource name (benchrun-<run>-<n>) for every instance the step starts.
  const std::function<std::string()>& next_instance_name;
  std::chrono::milliseconds timeout;  // per instance
};

// The runner fills in what every result of a step shares: case, repetition, start mode, warm-up (and the
// backend where the step left it empty).
struct StepResult {
  std::vector<reports::Sample> samples;
  std::vector<reports::Series> series;
  std::vector<reports::Verdict> verdicts;  // checks the step judged (density: did it reach its count, and why not)
  std::vector<std::string> notes;          // what the report should say about the run (limits raised, predicted)
  // The step stopped on a stop request after tearing down what it started: the runner keeps what it measured
  // and ends the run (a step that keeps hundreds of instances alive must not lose them all to Ctrl-C).
  bool interrupted = false;
};

// Measures; a failed instance is a failed sample, not an exception. Throws only Interrupted (or returns a
// result marked interrupted), after every instance the step started was torn down.
using Step = std::function<StepResult(Backend& backend, const StepInput& input)>;

// The instance a case asks for, under a given name, with the default switches.
inline InstanceSpec instance_spec(const reports::Case& test_case, std::string name) {
  InstanceSpec spec;
  spec.name = std::move(name);
  spec.workload = test_case.workload;
  spec.workload_args = test_case.workload_args;
  spec.limits = test_case.limits;
  return spec;
}

}  // namespace benchrun::harness
