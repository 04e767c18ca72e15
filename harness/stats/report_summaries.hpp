// From the samples of a run to the summaries its report carries: for every backend x metric, the
// statistics of the measured (not warm-up) successful samples, and the ratio of its median to native's.
#pragma once

#include <vector>

#include "harness/stats/summary.hpp"
#include "reports/model.hpp"

namespace benchrun::stats {

// The report's form of a Summary; outlier indices become the repetitions of the samples they came from
// (`repetitions[i]` is the repetition of values[i]).
reports::SummaryStats to_report_summary(const Summary& summary, const std::vector<int>& repetitions);

// Rows ordered metric by metric (names sorted), backends in the order of `backends`, so the backends of
// one metric sit together. Samples that are warm-up or failed are left out; a backend x metric with no
// value left has no row. ratio_to_native is set for non-native backends when a native backend measured
// the same metric with a median above 0.
std::vector<reports::MetricSummary> summarize_samples(const std::vector<reports::Sample>& samples,
                                                      const std::vector<reports::BackendInfo>& backends,
                                                      const SummaryOptions& options = {});

}  // namespace benchrun::stats
