// From the samples of a report to the summaries it carries: for every backend x case x start mode x metric,
// the statistics of the measured (not warm-up) successful samples, and the ratio of its median to native's
// of the same case and start mode (cold to cold, warm to warm); and the same statistics of every phase.
#pragma once

#include <optional>
#include <vector>

#include "reports/model.hpp"
#include "stats/bootstrap.hpp"
#include "stats/summary.hpp"

namespace benchrun::stats {

// The report's form of a Summary; outlier indices become the repetitions of the samples they came from
// (`repetitions[i]` is the repetition of values[i]).
reports::SummaryStats to_report_summary(const Summary& summary, const std::vector<int>& repetitions);

// Summaries of report.samples. Rows go metric by metric in the order of the metric table (report.metrics,
// whose unit each row takes), then backends in the order of report.backends, cases in the order of
// report.options.cases (cases only samples name come after, in the order they appear), then cold, warm and
// samples without a mode. Warm-up and failed samples are left out; a combination with no value left has no
// row. ratio_to_native is set for non-native backends when a native backend of the same host (BackendInfo.host:
// a merged report has one per host) measured the same case, metric and start mode with a median above 0. Throws Error
// for a sample metric without a row in report.metrics.
std::vector<reports::MetricSummary> summarize_samples(const reports::Report& report,
                                                      const SummaryOptions& options = {});

// The same rows for the samples' phases (ms since launch, phase names sorted), without ratios: where the time
// to ready goes, per backend x case x start mode.
std::vector<reports::MetricSummary> summarize_phases(const reports::Report& report, const SummaryOptions& options = {});

// The percentile bootstrap interval of `summary.ratio_to_native`, drawn from the report's samples of the same
// backend, case, start mode and metric and native's (as summarize_samples picks them). nullopt when the
// summary has no ratio, either side has no samples, or a native sample is not above 0 (a resampled native
// median of 0 would make the ratio meaningless). Not stored in report.json: the samples it comes from are,
// and the fixed seed gives the same interval on every rendering.
std::optional<Interval> ratio_to_native_interval(const reports::Report& report, const reports::MetricSummary& summary,
                                                 const BootstrapOptions& options = {});

}  // namespace benchrun::stats
