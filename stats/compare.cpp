#include "stats/compare.hpp"

#include <fmt/format.h>

#include <map>
#include <tuple>

#include "reports/metric_table.hpp"
#include "stats/mann_whitney.hpp"
#include "stats/percentile.hpp"
#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

using GroupKey = std::tuple<std::string, std::string, std::optional<reports::StartMode>, std::string>;
using Groups = std::map<GroupKey, std::vector<double>>;

// The values of each backend x case x start mode x metric over the measured, ok samples.
Groups group_values(const reports::Report& report) {
  Groups groups;
  for (const reports::Sample& sample : report.samples) {
    if (sample.warmup || !sample.ok) continue;
    for (const auto& [metric, value] : sample.metrics) {
      groups[GroupKey{sample.backend, sample.case_name, sample.start_mode, metric}].push_back(value);
    }
  }
  return groups;
}

std::string describe(const GroupKey& key) {
  const auto& [backend, case_name, start_mode, metric] = key;
  return fmt::format("{} {} {} {}", backend, case_name, start_mode ? reports::to_string(*start_mode) : "-", metric);
}

// Worse or better beyond the threshold, and unlikely to be noise.
Change judge(double ratio, double p_value, reports::Better better, const CompareOptions& options) {
  if (!(p_value < options.alpha)) return Change::unchanged;
  const bool went_up = ratio > 1.0 + options.threshold;
  const bool went_down = ratio < 1.0 - options.threshold;
  const bool higher_is_better = better == reports::Better::higher;
  if (went_up) return higher_is_better ? Change::improved : Change::regressed;
  if (went_down) return higher_is_better ? Change::regressed : Change::improved;
  return Change::unchanged;
}

}  // namespace

std::string_view to_string(Change change) {
  switch (change) {
    case Change::unchanged:
      return "unchanged";
    case Change::regressed:
      return "regressed";
    case Change::improved:
      return "improved";
  }
  return "unchanged";
}

Comparison compare_reports(const reports::Report& baseline, const reports::Report& current,
                           const CompareOptions& options) {
  if (baseline.options.suite != current.options.suite) {
    throw sys::Error(
        fmt::format("the baseline ran suite '{}', the current report suite '{}': compare runs of one suite",
                    baseline.options.suite, current.options.suite));
  }
  const Groups baseline_groups = group_values(baseline);
  const Groups current_groups = group_values(current);
  Comparison comparison;
  for (const auto& [key, current_values] : current_groups) {
    const auto found = baseline_groups.find(key);
    if (found == baseline_groups.end()) continue;
    const std::vector<double>& baseline_values = found->second;
    const auto& [backend, case_name, start_mode, metric] = key;
    ComparisonRow row;
    row.backend = backend;
    row.case_name = case_name;
    row.start_mode = start_mode;
    row.metric = metric;
    if (const reports::MetricDef* def = reports::find_metric(current.metrics, metric)) {
      row.unit = def->unit;
      row.better = def->better;
    } else {
      comparison.warnings.push_back(
          fmt::format("{}: not in the current report's metric table, taken as lower is better", describe(key)));
    }
    row.baseline_count = baseline_values.size();
    row.current_count = current_values.size();
    row.baseline_median = median(baseline_values);
    row.current_median = median(current_values);
    if (row.baseline_median == 0.0) {
      comparison.warnings.push_back(fmt::format("{}: the baseline median is 0, no ratio to compare", describe(key)));
      continue;
    }
    row.ratio = row.current_median / row.baseline_median;
    try {
      row.ratio_interval = bootstrap_median_ratio_interval(baseline_values, current_values, options.bootstrap);
    } catch (const sys::Error& error) {
      comparison.warnings.push_back(fmt::format("{}: no interval: {}", describe(key), error.what()));
      row.ratio_interval = Interval{row.ratio, row.ratio};
    }
    row.p_value = compare_samples(baseline_values, current_values).p_value;
    row.change = judge(row.ratio, row.p_value, row.better, options);
    if (row.baseline_count < weak_test_samples || row.current_count < weak_test_samples) {
      comparison.warnings.push_back(
          fmt::format("{}: {} baseline and {} current samples, fewer than {} on a side: a weak test", describe(key),
                      row.baseline_count, row.current_count, weak_test_samples));
    }
    comparison.rows.push_back(std::move(row));
  }
  if (comparison.rows.empty()) {
    throw sys::Error(
        "no backend x case x start mode x metric has ok measured samples in both reports: compare runs of the "
        "same backends, cases and start modes");
  }
  return comparison;
}

}  // namespace benchrun::stats
