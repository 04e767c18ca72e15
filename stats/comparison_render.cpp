#include "stats/comparison_render.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "reports/table.hpp"

namespace benchrun::stats {
namespace {

std::string start_cell(const std::optional<reports::StartMode>& start_mode) {
  return start_mode ? std::string(reports::to_string(*start_mode)) : "-";
}

std::string metric_cell(const ComparisonRow& row) {
  return row.better == reports::Better::higher ? row.metric + " (higher is better)" : row.metric;
}

std::string with_unit(double figure, const std::string& unit) {
  const std::string text = reports::format_figure(figure);
  return unit.empty() || unit == "count" ? text : fmt::format("{} {}", text, unit);
}

}  // namespace

ComparisonReport make_comparison_report(const reports::Report& baseline, const std::string& baseline_file,
                                        const reports::Report& current, const std::string& current_file,
                                        const CompareOptions& options) {
  return ComparisonReport{current.options.suite,
                          {baseline_file, baseline.run_id, baseline.started_at},
                          {current_file, current.run_id, current.started_at},
                          options,
                          compare_reports(baseline, current, options)};
}

ChangeCounts count_changes(const Comparison& comparison) {
  ChangeCounts counts;
  for (const ComparisonRow& row : comparison.rows) {
    switch (row.change) {
      case Change::regressed:
        ++counts.regressed;
        break;
      case Change::improved:
        ++counts.improved;
        break;
      case Change::unchanged:
        ++counts.unchanged;
        break;
    }
  }
  return counts;
}

bool is_weak_test(const ComparisonRow& row) {
  return row.baseline_count < weak_test_samples || row.current_count < weak_test_samples;
}

std::vector<const ComparisonRow*> rows_by_change(const Comparison& comparison) {
  std::vector<const ComparisonRow*> rows;
  for (const Change change : {Change::regressed, Change::improved, Change::unchanged}) {
    for (const ComparisonRow& row : comparison.rows) {
      if (row.change == change) rows.push_back(&row);
    }
  }
  return rows;
}

std::vector<std::vector<std::string>> comparison_table_cells(const ComparisonReport& report,
                                                             const std::vector<const ComparisonRow*>& rows) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back({"backend", "case", "start", "metric", "baseline", "current", "ratio",
                   fmt::format("{:.0f}% CI of ratio", report.options.bootstrap.confidence * 100.0), "p", "n",
                   "verdict"});
  for (const ComparisonRow* row : rows) {
    cells.push_back({row->backend, row->case_name, start_cell(row->start_mode), metric_cell(*row),
                     with_unit(row->baseline_median, row->unit), with_unit(row->current_median, row->unit),
                     fmt::format("{:.3f}", row->ratio),
                     fmt::format("[{:.3f}, {:.3f}]", row->ratio_interval.low, row->ratio_interval.high),
                     fmt::format("{:.3g}", row->p_value), fmt::format("{}/{}", row->baseline_count, row->current_count),
                     std::string(to_string(row->change))});
  }
  return cells;
}

std::string counts_line(const ComparisonReport& report) {
  const ChangeCounts counts = count_changes(report.comparison);
  return fmt::format("{} regressed, {} improved, {} unchanged (threshold {:g}%, alpha {:g})", counts.regressed,
                     counts.improved, counts.unchanged, report.options.threshold * 100.0, report.options.alpha);
}

std::string render_comparison_table(const ComparisonReport& report) {
  std::vector<const ComparisonRow*> rows;
  for (const ComparisonRow& row : report.comparison.rows) rows.push_back(&row);
  std::string out = reports::render_columns(comparison_table_cells(report, rows), comparison_text_columns);
  for (const std::string& warning : report.comparison.warnings) out += fmt::format("warning: {}\n", warning);
  return out + counts_line(report) + "\n";
}

}  // namespace benchrun::stats
