// benchrun compare BASELINE CURRENT: one row per backend x case x start mode x metric the two reports share,
// with the ratio of medians, its bootstrap interval, the Mann-Whitney p-value and the verdict; warnings
// below; exit 1 when any metric regressed, so CI can gate on it.
#include <fmt/format.h>

#include <algorithm>

#include "harness/commands/commands.hpp"
#include "reports/table.hpp"
#include "stats/compare.hpp"

namespace benchrun::harness {
namespace {

std::string start_cell(const std::optional<reports::StartMode>& start_mode) {
  return start_mode ? std::string(reports::to_string(*start_mode)) : "-";
}

std::string metric_cell(const stats::ComparisonRow& row) {
  return row.better == reports::Better::higher ? row.metric + " (higher is better)" : row.metric;
}

std::string with_unit(const std::string& figure, const std::string& unit) {
  return unit.empty() || unit == "count" ? figure : fmt::format("{} {}", figure, unit);
}

std::string render_comparison(const stats::Comparison& comparison, const stats::CompareOptions& options) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"backend", "case", "start", "metric", "baseline", "current", "ratio",
                   fmt::format("{:.0f}% CI of ratio", options.bootstrap.confidence * 100.0), "p", "n", "verdict"});
  for (const stats::ComparisonRow& row : comparison.rows) {
    cells.push_back({row.backend, row.case_name, start_cell(row.start_mode), metric_cell(row),
                     with_unit(reports::format_figure(row.baseline_median), row.unit),
                     with_unit(reports::format_figure(row.current_median), row.unit), fmt::format("{:.3f}", row.ratio),
                     fmt::format("[{:.3f}, {:.3f}]", row.ratio_interval.low, row.ratio_interval.high),
                     fmt::format("{:.3g}", row.p_value), fmt::format("{}/{}", row.baseline_count, row.current_count),
                     std::string(stats::to_string(row.change))});
  }
  std::string out = reports::render_columns(cells, 4);
  for (const std::string& warning : comparison.warnings) out += fmt::format("warning: {}\n", warning);
  const auto count = [&](stats::Change change) {
    return std::count_if(comparison.rows.begin(), comparison.rows.end(),
                         [&](const stats::ComparisonRow& row) { return row.change == change; });
  };
  out += fmt::format("{} regressed, {} improved, {} unchanged (threshold {:g}%, alpha {:g})\n",
                     count(stats::Change::regressed), count(stats::Change::improved), count(stats::Change::unchanged),
                     options.threshold * 100.0, options.alpha);
  return out;
}

}  // namespace

int run_compare(const CompareCommand& command) {
  const reports::Report baseline = read_report_for_command(command.baseline);
  const reports::Report current = read_report_for_command(command.current);
  stats::CompareOptions options;
  options.threshold = command.threshold;
  options.alpha = command.alpha;
  stats::Comparison comparison;
  try {
    comparison = stats::compare_reports(baseline, current, options);
  } catch (const sys::Error& error) {
    throw UsageError(
        fmt::format("compare {} {}: {}", command.baseline.string(), command.current.string(), error.what()));
  }
  fmt::print("{}", render_comparison(comparison, options));
  const bool regressed =
      std::any_of(comparison.rows.begin(), comparison.rows.end(),
                  [](const stats::ComparisonRow& row) { return row.change == stats::Change::regressed; });
  return regressed ? exit_failure : exit_ok;
}

}  // namespace benchrun::harness
