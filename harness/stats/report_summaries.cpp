#include "harness/stats/report_summaries.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "harness/stats/percentile.hpp"

namespace benchrun::stats {
namespace {

struct MetricValues {
  std::vector<double> values;
  std::vector<int> repetitions;
};

MetricValues measured_values(const std::vector<reports::Sample>& samples, const std::string& backend,
                             const std::string& metric) {
  MetricValues found;
  for (const reports::Sample& sample : samples) {
    if (sample.backend != backend || sample.warmup || !sample.ok) continue;
    const auto value = sample.metrics.find(metric);
    if (value == sample.metrics.end()) continue;
    found.values.push_back(value->second);
    found.repetitions.push_back(sample.repetition);
  }
  return found;
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
  std::set<std::string> metrics;
  for (const reports::Sample& sample : samples) {
    if (sample.warmup || !sample.ok) continue;
    for (const auto& [name, value] : sample.metrics) metrics.insert(name);
  }
  const auto native = std::find_if(backends.begin(), backends.end(), [](const reports::BackendInfo& backend) {
    return backend.kind == reports::BackendKind::native;
  });

  std::vector<reports::MetricSummary> rows;
  for (const std::string& metric : metrics) {
    std::optional<double> native_median;
    if (native != backends.end()) {
      const MetricValues values = measured_values(samples, native->name, metric);
      if (!values.values.empty()) native_median = median(values.values);
    }
    for (const reports::BackendInfo& backend : backends) {
      const MetricValues values = measured_values(samples, backend.name, metric);
      if (values.values.empty()) continue;
      reports::MetricSummary row;
      row.backend = backend.name;
      row.metric = metric;
      row.unit = reports::unit_of_metric(metric);
      row.summary = to_report_summary(summarize(values.values, options), values.repetitions);
      if (backend.kind != reports::BackendKind::native && native_median && *native_median > 0.0) {
        row.ratio_to_native = row.summary.median / *native_median;
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

}  // namespace benchrun::stats
