// From the samples of a run to the summaries its report carries: for every backend x start mode x metric,
// the statistics of the measured (not warm-up) successful samples, and the ratio of its median to native's
// of the same start mode (cold to cold, warm to warm); and the same statistics of every phase.
#pragma once

#include <vector>

#include "reports/model.hpp"
#include "stats/summary.hpp"

namespace benchrun::stats {

// The report's form of a Summary; outlier indices become the repetitions of the samples they came from
// (`repetitions[i]` is the repetition of values[i]).
reports::SummaryStats to_report_summary(const Summary& summary, const std::vector<int>& repetitions);

// Rows ordered metric by metric (names sorted), backends in the order of `backends`, then cold, warm and
// samples without a mode, so the rows of one metric sit together. Samples that are warm-up or failed are
// left out; a backend x mode x metric with no value left has no row. ratio_to_native is set for non-native
// backends when a native backend measured the same metric in the same start mode with a median above 0.
std::vector<reports::MetricSummary> summarize_samples(const std::vector<reports::Sample>& samples,
                                                      const std::vector<reports::BackendInfo>& backends,
                                                      const SummaryOptions& options = {});

// The same rows for the samples' phases (ms since launch), unit "ms", without ratios: where the time to
// ready goes, per backend x start mode.
std::vector<reports::MetricSummary> summarize_phases(const std::vector<reports::Sample>& samples,
                                                     const std::vector<reports::BackendInfo>& backends,
                                                     const SummaryOptions& options = {});

}  // namespace benchrun::stats
