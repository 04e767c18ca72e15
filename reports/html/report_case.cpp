// One case of report.html: every chart of it, drawn by svg_chart from the report's samples and summaries.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>

#include "reports/html/page.hpp"
#include "reports/html/report_sections.hpp"
#include "reports/html/svg_chart.hpp"
#include "reports/metric_table.hpp"
#include "reports/table.hpp"
#include "stats/report_summaries.hpp"

namespace benchrun::reports::html {
namespace {

bool measured(const Sample& sample) { return sample.ok && !sample.warmup; }

template <typename Item, typename Key>
std::vector<std::string> distinct(const std::vector<Item>& items, const std::string& case_name, Key key) {
  std::vector<std::string> found;
  for (const Item& item : items) {
    if (item.case_name != case_name) continue;
    const std::string& value = item.*key;
    if (std::find(found.begin(), found.end(), value) == found.end()) found.push_back(value);
  }
  return found;
}

// Rows backend by backend (the report's order), cold then warm: one colour per backend.
std::vector<BoxGroup> metric_groups(const Report& report, const std::string& case_name, const std::string& metric) {
  std::vector<BoxGroup> groups;
  for (std::size_t backend = 0; backend < report.backends.size(); ++backend) {
    const std::string& name = report.backends[backend].name;
    for (const std::optional<StartMode>& mode : start_mode_order()) {
      BoxGroup group{backend_mode_label(name, mode), {}, backend};
      for (const Sample& sample : report.samples) {
        if (sample.backend != name || sample.case_name != case_name || sample.start_mode != mode || !measured(sample))
          continue;
        if (const auto value = sample.metrics.find(metric); value != sample.metrics.end()) {
          group.values.push_back(value->second);
        }
      }
      if (!group.values.empty()) groups.push_back(std::move(group));
    }
  }
  return groups;
}

std::string metric_charts(const Report& report, const std::string& case_name, const MetricDef& metric) {
  BoxPlot distribution{
      .title = fmt::format("{}, case {}", metric.name, case_name),
      .description = fmt::format("Every measured sample of {} per backend and start mode in case {}: boxes from the "
                                 "first to the third quartile, medians, whiskers to 1.5 IQR, outliers ringed.",
                                 metric.name, case_name),
      .value_label = fmt::format("{} ({})", metric.name, metric.unit),
      .groups = metric_groups(report, case_name, metric.name),
  };
  if (distribution.groups.empty()) return {};
  const std::string direction = metric.better == Better::higher ? "higher is better" : "lower is better";
  std::string out = subheading(fmt::format("{} ({}, {})", metric.name, metric.unit, direction));
  if (!metric.description.empty()) out += paragraph(metric.description, "note");
  out += figure(box_plot(distribution), "Cold and warm starts of a backend sit on adjacent rows, on one axis.");

  RatioBars ratios{.title = fmt::format("{} against native, case {}", metric.name, case_name)};
  for (const MetricSummary& summary : report.summaries) {
    if (summary.case_name != case_name || summary.metric != metric.name || !summary.ratio_to_native) continue;
    RatioBar bar{backend_mode_label(summary.backend, summary.start_mode), *summary.ratio_to_native, {}, {}};
    if (const auto interval = stats::ratio_to_native_interval(report, summary)) {
      bar.ci_low = interval->low;
      bar.ci_high = interval->high;
    }
    ratios.bars.push_back(std::move(bar));
  }
  if (!ratios.bars.empty()) {
    out +=
        figure(ratio_bars(ratios),
               "Median over native's median of the same start mode; whiskers: bootstrap 95 % interval of the ratio.");
  }
  return out;
}

// Per backend: one bar per start mode, each phase a segment from the phase before it (medians, in the order
// they happened).
std::string phase_charts(const Report& report, const std::string& case_name) {
  std::string out;
  for (const std::string& backend : distinct(report.phase_summaries, case_name, &MetricSummary::backend)) {
    StackedBars chart{.title = fmt::format("Phases of {}, case {}", backend, case_name),
                      .value_label = "ms since launch (medians)"};
    for (const std::optional<StartMode>& mode : start_mode_order()) {
      std::vector<const MetricSummary*> phases;
      for (const MetricSummary& phase : report.phase_summaries) {
        if (phase.case_name == case_name && phase.backend == backend && phase.start_mode == mode)
          phases.push_back(&phase);
      }
      if (phases.empty()) continue;
      std::stable_sort(phases.begin(), phases.end(), [](const MetricSummary* a, const MetricSummary* b) {
        return a->summary.median < b->summary.median;
      });
      StackedBar bar{mode ? std::string(to_string(*mode)) : "-", {}};
      double previous = 0.0;
      for (const MetricSummary* phase : phases) {
        bar.segments.push_back({phase->metric, phase->summary.median - previous});
        previous = phase->summary.median;
      }
      chart.bars.push_back(std::move(bar));
    }
    out += figure(stacked_bars(chart), "Each segment runs from the phase before it to the named phase.");
  }
  return out.empty() ? out : subheading("Where the time goes") + out;
}

std::string series_charts(const Report& report, const std::string& case_name) {
  std::string out;
  for (const std::string& name : distinct(report.series, case_name, &Series::name)) {
    LineChart chart{.title = fmt::format("{}, case {}", name, case_name)};
    for (const Series& series : report.series) {
      if (series.case_name != case_name || series.name != name) continue;
      chart.x_label = fmt::format("{} ({})", series.x_label, series.x_unit);
      chart.y_label = fmt::format("{} ({})", series.y_label, series.y_unit);
      LineSeries line{series.backend, {}};
      for (const SeriesPoint& point : series.points) line.points.push_back({point.x, point.y, false, {}});
      chart.series.push_back(std::move(line));
    }
    out += figure(line_chart(chart));
  }
  return out.empty() ? out : subheading("Series") + out;
}

std::string verdict_value(const std::optional<VerdictValue>& value, const std::string& unit) {
  if (!value) return "-";
  const std::string text = std::holds_alternative<std::string>(*value) ? std::get<std::string>(*value)
                                                                       : format_figure(std::get<double>(*value));
  return unit.empty() ? text : fmt::format("{} {}", text, unit);
}

// Check x backend, each cell what the backend promised (the verdict's configured value: its documentation, its
// configuration) beside what was seen (measured), e.g. "hidden / visible"; a failed cell starts with FAIL.
std::string promised_vs_seen(const Report& report, const std::string& case_name, const VerdictMatrix& matrix) {
  std::vector<std::vector<std::string>> rows(matrix.rows.size(), std::vector<std::string>(matrix.columns.size() + 1));
  bool any_value = false;
  for (std::size_t row = 0; row < matrix.rows.size(); ++row) rows[row][0] = matrix.rows[row];
  for (const Verdict& verdict : report.verdicts) {
    if (verdict.case_name != case_name) continue;
    any_value = any_value || verdict.configured || verdict.measured;
    const auto row = std::find(matrix.rows.begin(), matrix.rows.end(), verdict.check) - matrix.rows.begin();
    const auto column =
        std::find(matrix.columns.begin(), matrix.columns.end(), verdict.backend) - matrix.columns.begin();
    rows[row][column + 1] =
        fmt::format("{}{} / {}", verdict.pass ? "" : "FAIL: ", verdict_value(verdict.configured, verdict.unit),
                    verdict_value(verdict.measured, verdict.unit));
  }
  if (!any_value) return {};
  std::vector<std::string> header{"check: promised / seen"};
  header.insert(header.end(), matrix.columns.begin(), matrix.columns.end());
  return html_table(header, rows, header.size());
}

std::string verdict_charts(const Report& report, const std::string& case_name) {
  VerdictMatrix matrix{.title = fmt::format("Checks, case {}", case_name),
                       .rows = distinct(report.verdicts, case_name, &Verdict::check),
                       .columns = distinct(report.verdicts, case_name, &Verdict::backend)};
  if (matrix.rows.empty()) return {};
  matrix.cells.assign(matrix.rows.size(), std::vector<MatrixCell>(matrix.columns.size()));
  std::vector<std::vector<std::string>> rows;
  for (const Verdict& verdict : report.verdicts) {
    if (verdict.case_name != case_name) continue;
    const auto row = std::find(matrix.rows.begin(), matrix.rows.end(), verdict.check) - matrix.rows.begin();
    const auto column =
        std::find(matrix.columns.begin(), matrix.columns.end(), verdict.backend) - matrix.columns.begin();
    matrix.cells[row][column] = {verdict.pass ? CellState::pass : CellState::fail, verdict.why};
    rows.push_back({verdict.check, verdict.backend, verdict.pass ? "pass" : "FAIL",
                    verdict_value(verdict.configured, verdict.unit), verdict_value(verdict.measured, verdict.unit),
                    verdict.tolerance ? fmt::format("{} %", format_figure(*verdict.tolerance * 100.0)) : "exact",
                    verdict.why});
  }
  return subheading("Checks") + figure(verdict_matrix(matrix)) + promised_vs_seen(report, case_name, matrix) +
         html_table({"check", "backend", "verdict", "configured", "measured", "tolerance", "why"}, rows, 3);
}

}  // namespace

std::string case_section(const Report& report, const std::string& case_name) {
  std::string out;
  const auto known = std::find_if(report.options.cases.begin(), report.options.cases.end(),
                                  [&](const Case& candidate) { return candidate.name == case_name; });
  if (known != report.options.cases.end()) {
    out += paragraph(fmt::format("workload {} {}", known->workload, fmt::join(known->workload_args, " ")), "note");
  }
  for (const MetricDef& metric : report.metrics) out += metric_charts(report, case_name, metric);
  out += phase_charts(report, case_name);
  out += series_charts(report, case_name);
  out += verdict_charts(report, case_name);
  return out.empty() ? paragraph("No measured samples in this case.", "note") : out;
}

}  // namespace benchrun::reports::html
