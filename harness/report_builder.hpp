// Turns what a run measured, and where, into the Report model that exporters write.
#pragma once

#include <memory>
#include <vector>

#include "harness/backend.hpp"
#include "harness/environment.hpp"
#include "harness/options.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

struct RunRecord {
  std::string run_id;
  std::string started_at;   // RFC 3339 UTC
  std::string finished_at;  // RFC 3339 UTC
  bool complete = false;
  std::vector<reports::Sample> samples;
  std::vector<reports::Series> series;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  std::vector<reports::Verdict> verdicts;
};

// The metric table holds a row for every metric of the samples (benchrun's and the workloads'); summaries
// (per backend x case x start mode x metric, and the phase summaries) are computed from the measured
// (non-warm-up, successful) samples. Throws Error for a sample metric that is in no metric table.
reports::Report build_report(const SuiteOptions& options, reports::Environment environment,
                             const std::vector<std::unique_ptr<Backend>>& backends, RunRecord record);

}  // namespace benchrun::harness
