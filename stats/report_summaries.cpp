#include "stats/report_summaries.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <optional>
#include <set>

#include "reports/metric_table.hpp"
#include "stats/percentile.hpp"
#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

using StartModeKey = std::optional<reports::StartMode>;
// Cold before warm, samples without a mode (older logs) last.
const StartModeKey start_mode_order[] = {reports::StartMode::cold, reports::StartMode::warm, std::nullopt};

// Which of a sample's figures a summary is made of: its metrics or its phases.
using Figures = const std::map<std::string, double> reports::Sample::*;

bool counts(const reports::Sample& sample) { return !sample.warmup && sample.ok; }

// The baseline of a backend's ratios: the native backend of the host it ran on, or nullptr. A merged report has
// one native per host (BackendInfo.host), and a ratio never divides by another machine's.
const reports::BackendInfo* native_of(const reports::Report& report, const std::string& backend_name) {
  const auto backend = std::find_if(report.backends.begin(), report.backends.end(),
                                    [&](const reports::BackendInfo& known) { return known.name == backend_name; });
  const std::optional<std::string> host = backend == report.backends.end() ? std::nullopt : backend->host;
  const auto native =
      std::find_if(report.backends.begin(), report.backends.end(), [&](const reports::BackendInfo& known) {
        return known.kind == reports::BackendKind::native && known.host == host;
      });
  return native == report.backends.end() ? nullptr : &*native;
}

// One row's coordinates: the samples that share them make the row.
struct RowKey {
  const std::string& backend;
  const std::string& case_name;
  const StartModeKey& start_mode;
  const std::string& name;
};

struct MetricValues {
  std::vector<double> values;
  std::vector<int> repetitions;
};

MetricValues measured_values(const std::vector<reports::Sample>& samples, Figures figures, const RowKey& key) {
  MetricValues found;
  for (const reports::Sample& sample : samples) {
    if (sample.backend != key.backend || sample.case_name != key.case_name || sample.start_mode != key.start_mode ||
        !counts(sample)) {
      continue;
    }
    const auto value = (sample.*figures).find(key.name);
    if (value == (sample.*figures).end()) continue;
    found.values.push_back(value->second);
    found.repetitions.push_back(sample.repetition);
  }
  return found;
}

// The options' cases first, in their order, then any case only samples name.
std::vector<std::string> case_order(const reports::Report& report) {
  std::vector<std::string> names;
  const auto add = [&](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const reports::Case& known : report.options.cases) add(known.name);
  for (const reports::Sample& sample : report.samples) add(sample.case_name);
  return names;
}

std::vector<reports::MetricSummary> summarize_figures(const reports::Report& report,
                                                      const std::vector<reports::MetricDef>& table,
                                                      const SummaryOptions& options, Figures figures, bool with_ratio) {
  const std::vector<std::string> cases = case_order(report);

  std::vector<reports::MetricSummary> rows;
  for (const reports::MetricDef& metric : table) {
    for (const reports::BackendInfo& backend : report.backends) {
      const reports::BackendInfo* native = native_of(report, backend.name);
      for (const std::string& case_name : cases) {
        for (const StartModeKey& start_mode : start_mode_order) {
          const MetricValues values =
              measured_values(report.samples, figures, {backend.name, case_name, start_mode, metric.name});
          if (values.values.empty()) continue;
          reports::MetricSummary row;
          row.backend = backend.name;
          row.case_name = case_name;
          row.start_mode = start_mode;
          row.metric = metric.name;
          row.unit = metric.unit;
          row.summary = to_report_summary(summarize(values.values, options), values.repetitions);
          if (with_ratio && backend.kind != reports::BackendKind::native && native != nullptr) {
            const MetricValues native_values =
                measured_values(report.samples, figures, {native->name, case_name, start_mode, metric.name});
            if (!native_values.values.empty()) {
              const double native_median = median(native_values.values);
              if (native_median > 0.0) row.ratio_to_native = row.summary.median / native_median;
            }
          }
          rows.push_back(std::move(row));
        }
      }
    }
  }
  return rows;
}

// The names of one kind of figure in the samples that count, sorted.
std::set<std::string> figure_names(const std::vector<reports::Sample>& samples, Figures figures) {
  std::set<std::string> names;
  for (const reports::Sample& sample : samples) {
    if (!counts(sample)) continue;
    for (const auto& [name, value] : sample.*figures) names.insert(name);
  }
  return names;
}

}  // namespace

reports::SummaryStats to_report_summary(const Summary& summary, const std::vector<int>& repetitions) {
  reports::SummaryStats stats{summary.count,
                              summary.min,
                              summary.median,
                              summary.mean,
                              summary.p90,
                              summary.p99,
                              summary.max,
                              summary.stddev,
                              summary.mad,
                              summary.mad_scaled,
                              summary.ci_level,
                              summary.median_ci.low,
                              summary.median_ci.high,
                              {}};
  for (const std::size_t index : summary.outliers) stats.outlier_repetitions.push_back(repetitions.at(index));
  return stats;
}

std::vector<reports::MetricSummary> summarize_samples(const reports::Report& report, const SummaryOptions& options) {
  for (const std::string& name : figure_names(report.samples, &reports::Sample::metrics)) {
    if (reports::find_metric(report.metrics, name) == nullptr) {
      throw sys::Error(fmt::format("summarize: metric '{}' has no row in the report's metric table", name));
    }
  }
  return summarize_figures(report, report.metrics, options, &reports::Sample::metrics, /*with_ratio=*/true);
}

std::vector<reports::MetricSummary> summarize_phases(const reports::Report& report, const SummaryOptions& options) {
  std::vector<reports::MetricDef> phases;
  for (const std::string& name : figure_names(report.samples, &reports::Sample::phases)) {
    phases.push_back(reports::phase_metric(name));
  }
  return summarize_figures(report, phases, options, &reports::Sample::phases, /*with_ratio=*/false);
}

std::optional<Interval> ratio_to_native_interval(const reports::Report& report, const reports::MetricSummary& summary,
                                                 const BootstrapOptions& options) {
  const reports::BackendInfo* native = native_of(report, summary.backend);
  if (!summary.ratio_to_native || native == nullptr) return std::nullopt;
  const MetricValues current =
      measured_values(report.samples, &reports::Sample::metrics,
                      {summary.backend, summary.case_name, summary.start_mode, summary.metric});
  const MetricValues baseline = measured_values(report.samples, &reports::Sample::metrics,
                                                {native->name, summary.case_name, summary.start_mode, summary.metric});
  if (current.values.empty() || baseline.values.empty()) return std::nullopt;
  if (*std::min_element(baseline.values.begin(), baseline.values.end()) <= 0.0) return std::nullopt;
  return bootstrap_median_ratio_interval(baseline.values, current.values, options);
}

}  // namespace benchrun::stats
