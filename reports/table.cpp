#include "reports/table.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "reports/metric_table.hpp"

namespace benchrun::reports {
namespace {

using Row = SummaryRow;
// Text columns (backend, case, start, metric) align left, figures align right.
constexpr std::size_t text_columns = 4;

std::string start_cell(const std::optional<StartMode>& start_mode) {
  return start_mode ? std::string(to_string(*start_mode)) : "-";
}

std::string with_unit(const std::string& figure, const std::string& unit) {
  return unit.empty() || unit == "count" ? figure : fmt::format("{} {}", figure, unit);
}

std::string ratio_cell(const Report& report, const MetricSummary& summary) {
  const auto backend = std::find_if(report.backends.begin(), report.backends.end(),
                                    [&](const BackendInfo& info) { return info.name == summary.backend; });
  if (backend != report.backends.end() && backend->kind == BackendKind::native) return "baseline";
  if (!summary.ratio_to_native) return "-";
  return fmt::format("{:.2f}x", *summary.ratio_to_native);
}

std::size_t failed_runs(const Report& report, const MetricSummary& summary) {
  return static_cast<std::size_t>(
      std::count_if(report.samples.begin(), report.samples.end(), [&](const Sample& sample) {
        return sample.backend == summary.backend && sample.case_name == summary.case_name &&
               sample.start_mode == summary.start_mode && !sample.warmup && !sample.ok;
      }));
}

// The metric table's row of a summary; a report without one (hand-made) keeps the summary's own unit.
MetricDef definition_of(const Report& report, const MetricSummary& summary) {
  const MetricDef* row = find_metric(report.metrics, summary.metric);
  return row != nullptr ? *row : MetricDef{summary.metric, summary.unit, Better::lower, ""};
}

// Lower is better for most metrics; the others say so, since a ratio above 1 is then a gain.
std::string metric_cell(const MetricDef& metric) {
  return metric.better == Better::higher ? metric.name + " (higher is better)" : metric.name;
}

// "phases container cold (case hello, median ms since launch): prepared 0.41, cloned 0.92, cgroup_ready 13.1, ..."
// One line per backend x case x start mode, in the order of report.phase_summaries, phases sorted by median.
std::string phase_lines(const Report& report) {
  std::vector<std::pair<std::string, std::vector<const MetricSummary*>>> groups;
  for (const MetricSummary& phase : report.phase_summaries) {
    const std::string label =
        phase.start_mode ? fmt::format("{} {} (case {},", phase.backend, to_string(*phase.start_mode), phase.case_name)
                         : fmt::format("{} (case {},", phase.backend, phase.case_name);
    auto group = std::find_if(groups.begin(), groups.end(), [&](const auto& entry) { return entry.first == label; });
    if (group == groups.end()) group = groups.insert(groups.end(), {label, {}});
    group->second.push_back(&phase);
  }
  std::string out;
  for (auto& [label, phases] : groups) {
    std::stable_sort(phases.begin(), phases.end(), [](const MetricSummary* a, const MetricSummary* b) {
      return a->summary.median < b->summary.median;
    });
    std::string line = fmt::format("phases {} median ms since launch):", label);
    for (std::size_t index = 0; index < phases.size(); ++index) {
      line += fmt::format("{} {} {}", index == 0 ? "" : ",", phases[index]->metric,
                          format_figure(phases[index]->summary.median));
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace

std::string format_figure(double value) {
  const double magnitude = std::abs(value);
  if (magnitude >= 100.0 || value == 0.0) return fmt::format("{:.0f}", value);
  if (magnitude >= 10.0) return fmt::format("{:.1f}", value);
  if (magnitude >= 1.0) return fmt::format("{:.2f}", value);
  return fmt::format("{:.3f}", value);
}

std::string render_columns(const std::vector<std::vector<std::string>>& rows, std::size_t left_columns) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t column = 0; column < row.size(); ++column) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t column = 0; column < row.size(); ++column) {
      if (column > 0) line += "  ";
      line += column < left_columns ? fmt::format("{:<{}}", row[column], widths[column])
                                    : fmt::format("{:>{}}", row[column], widths[column]);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  return out;
}

std::vector<SummaryRow> summary_table_rows(const Report& report) {
  std::vector<Row> rows;
  rows.push_back(
      {"backend", "case", "start", "metric", "median", "p90", "95% CI of median", "n", "failed", "vs native"});
  for (const MetricSummary& summary : report.summaries) {
    const SummaryStats& stats = summary.summary;
    const MetricDef metric = definition_of(report, summary);
    rows.push_back(
        {summary.backend, summary.case_name, start_cell(summary.start_mode), metric_cell(metric),
         with_unit(format_figure(stats.median), metric.unit), with_unit(format_figure(stats.p90), metric.unit),
         with_unit(fmt::format("[{}, {}]", format_figure(stats.ci_low), format_figure(stats.ci_high)), metric.unit),
         fmt::format("{}", stats.count), fmt::format("{}", failed_runs(report, summary)), ratio_cell(report, summary)});
  }
  return rows;
}

std::string render_summary_table(const Report& report) {
  std::vector<std::vector<std::string>> rows;
  for (const Row& row : summary_table_rows(report)) rows.emplace_back(row.begin(), row.end());

  std::string out;
  if (!report.complete) {
    out += fmt::format("PARTIAL RESULTS: run {} did not complete (interrupted or aborted)\n", report.run_id);
  }
  if (report.summaries.empty()) {
    out += "no successful measurements to summarize\n";
    return out;
  }
  out += render_columns(rows, text_columns);
  return out + phase_lines(report);
}

}  // namespace benchrun::reports
