#include "stats/report_summaries.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "stats/percentile.hpp"

namespace benchrun::stats {
namespace {

using StartModeKey = std::optional<reports::StartMode>;
// Cold before warm, samples without a mode (older logs) last.
const StartModeKey start_mode_order[] = {reports::StartMode::cold, reports::StartMode::warm, std::nullopt};

// Which of a sample's figures a summary is made of: its metrics or its phases.
using Figures = const std::map<std::string, double> reports::Sample::*;

bool counts(const reports::Sample& sample) { return !sample.warmup && sample.ok; }

struct MetricValues {
  std::vector<double> values;
  std::vector<int> repetitions;
};

MetricValues measured_values(const std::vector<reports::Sample>& samples, Figures figures, const std::string& backend,
                             const StartModeKey& start_mode, const std::string& name) {
  MetricValues found;
  for (const reports::Sample& sample : samples) {
    if (sample.backend != backend || sample.start_mode != start_mode || !counts(sample)) continue;
    const auto value = (sample.*figures).find(name);
    if (value == (sample.*figures).end()) continue;
    found.values.push_back(value->second);
    found.repetitions.push_back(sample.repetition);
  }
  return found;
}

std::vector<reports::MetricSummary> summarize_figures(const std::vector<reports::Sample>& samples,
                                                      const std::vector<reports::BackendInfo>& backends,
                                                      const SummaryOptions& options, Figures figures, bool with_ratio) {
  std::set<std::string> names;
  for (const reports::Sample& sample : samples) {
    if (!counts(sample)) continue;
    for (const auto& [name, value] : sample.*figures) names.insert(name);
  }
  const auto native = std::find_if(backends.begin(), backends.end(), [](const reports::BackendInfo& backend) {
    return backend.kind == reports::BackendKind::native;
  });

  std::vector<reports::MetricSummary> rows;
  for (const std::string& name : names) {
    for (const reports::BackendInfo& backend : backends) {
      for (const StartModeKey& start_mode : start_mode_order) {
        const MetricValues values = measured_values(samples, figures, backend.name, start_mode, name);
        if (values.values.empty()) continue;
        reports::MetricSummary row;
        row.backend = backend.name;
        row.start_mode = start_mode;
        row.metric = name;
        row.unit = with_ratio ? reports::unit_of_metric(name) : "ms";
        row.summary = to_report_summary(summarize(values.values, options), values.repetitions);
        if (with_ratio && backend.kind != reports::BackendKind::native && native != backends.end()) {
          const MetricValues native_values = measured_values(samples, figures, native->name, start_mode, name);
          if (!native_values.values.empty()) {
            const double native_median = median(native_values.values);
            if (native_median > 0.0) row.ratio_to_native = row.summary.median / native_median;
          }
        }
        rows.push_back(std::move(row));
      }
    }
  }
  return rows;
}

}  // namespace

reports::SummaryStats to_report_summary(const Summary& summary, const std::vector<int>& repetitions) {
  reports::SummaryStats stats;
  stats.count = summary.count;
  stats.min = summary.min;
  stats.median = summary.median;
  stats.mean = summary.mean;
  stats.p90 = summary.p90;
  stats.p99 = summary.p99;
  stats.max = summary.max;
  stats.stddev = summary.stddev;
  stats.mad = summary.mad;
  stats.mad_scaled = summary.mad_scaled;
  stats.ci_level = summary.ci_level;
  stats.ci_low = summary.median_ci.low;
  stats.ci_high = summary.median_ci.high;
  for (const std::size_t index : summary.outliers) stats.outlier_repetitions.push_back(repetitions.at(index));
  return stats;
}

std::vector<reports::MetricSummary> summarize_samples(const std::vector<reports::Sample>& samples,
                                                      const std::vector<reports::BackendInfo>& backends,
                                                      const SummaryOptions& options) {
  return summarize_figures(samples, backends, options, &reports::Sample::metrics, /*with_ratio=*/true);
}

std::vector<reports::MetricSummary> summarize_phases(const std::vector<reports::Sample>& samples,
                                                     const std::vector<reports::BackendInfo>& backends,
                                                     const SummaryOptions& options) {
  return summarize_figures(samples, backends, options, &reports::Sample::phases, /*with_ratio=*/false);
}

}  // namespace benchrun::stats
