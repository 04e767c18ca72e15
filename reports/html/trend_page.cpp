#include "reports/html/trend_page.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "reports/html/page.hpp"
#include "reports/html/svg_chart.hpp"
#include "reports/table.hpp"

namespace benchrun::reports::html {
namespace {

std::string verdict_cell(const HistoryRun& run) {
  return run.verdict ? std::string(to_string(*run.verdict)) : "none (unfinished)";
}

std::string runs_table(const std::vector<TrendRun>& runs) {
  std::vector<std::vector<std::string>> rows;
  for (const TrendRun& each : runs) {
    rows.push_back({each.run.id, each.run.suite, each.report.started_at, verdict_cell(each.run),
                    each.run.baseline.value_or("-"), each.report.environment.git_commit});
  }
  return html_table({"run", "suite", "started", "verdict", "baseline", "commit"}, rows, 6);
}

// Where a run stands on its suite's x axis: 1 for the oldest run of that suite on the page.
std::vector<double> positions_within_suites(const std::vector<TrendRun>& runs) {
  std::map<std::string, int> seen;
  std::vector<double> positions;
  for (const TrendRun& each : runs) positions.push_back(++seen[each.run.suite]);
  return positions;
}

// "20261202T020000Z-startup: 2.31 ms [2.1, 2.6], regressed"
std::string point_note(const TrendRun& run, const TrendSeries& series, const TrendPoint& point) {
  std::string note = fmt::format("{}: {} {} [{}, {}]", run.run.id, format_figure(point.median), series.unit,
                                 format_figure(point.ci_low), format_figure(point.ci_high));
  if (point.regressed) note += ", regressed";
  return note;
}

LineSeries line_of(const std::vector<TrendRun>& runs, const std::vector<double>& positions, const TrendSeries& series) {
  LineSeries line;
  line.label = series.start_mode ? fmt::format("{} {}", series.backend, to_string(*series.start_mode)) : series.backend;
  for (const TrendPoint& point : series.points) {
    line.points.push_back(
        {positions[point.run_index], point.median, point.regressed, point_note(runs[point.run_index], series, point)});
  }
  return line;
}

// One chart per case x metric of `suite`: its series are the consecutive ones sharing suite, case and metric.
std::string suite_charts(const std::vector<TrendRun>& runs, const std::vector<TrendSeries>& series,
                         const std::string& suite) {
  const std::vector<double> positions = positions_within_suites(runs);
  std::string body;
  for (auto first = series.begin(); first != series.end();) {
    const auto last = std::find_if(first, series.end(), [&](const TrendSeries& each) {
      return each.suite != first->suite || each.case_name != first->case_name || each.metric != first->metric;
    });
    if (first->suite == suite) {
      LineChart chart;
      chart.title = fmt::format("{} · {}", first->case_name, first->metric);
      chart.description = fmt::format("Median {} of case {} in each run of {}, oldest first ({} is better)",
                                      first->metric, first->case_name, suite, to_string(first->better));
      chart.x_label = "run (1 = oldest on this page)";
      chart.y_label = first->unit.empty() ? first->metric : fmt::format("{} ({})", first->metric, first->unit);
      for (auto each = first; each != last; ++each) chart.series.push_back(line_of(runs, positions, *each));
      body += figure(line_chart(chart), fmt::format("{} is better; marked points: runs that regressed against "
                                                    "their baseline; each point's tooltip names its run and 95% "
                                                    "interval",
                                                    to_string(first->better)));
    }
    first = last;
  }
  return body;
}

std::vector<std::string> suites_of(const std::vector<TrendRun>& runs) {
  std::vector<std::string> suites;
  for (const TrendRun& each : runs) {
    if (std::find(suites.begin(), suites.end(), each.run.suite) == suites.end()) suites.push_back(each.run.suite);
  }
  std::sort(suites.begin(), suites.end());
  return suites;
}

}  // namespace

std::string render_trend_page(const std::vector<TrendRun>& runs, std::string_view history) {
  HtmlPage page("benchrun trend");
  page.set_subtitle(runs.empty() ? fmt::format("no runs in {}", history)
                                 : fmt::format("{} runs in {}, {} to {}", runs.size(), history,
                                               runs.front().run.timestamp, runs.back().run.timestamp));
  const auto regressed = std::count_if(runs.begin(), runs.end(),
                                       [](const TrendRun& each) { return each.run.verdict == RunVerdict::regressed; });
  if (regressed > 0) {
    page.add_banner(
        fmt::format("{} of these {} runs regressed against their baseline (see comparison.txt in the "
                    "run's folder)",
                    regressed, runs.size()));
  }
  page.add_section("Runs", runs_table(runs));
  const std::vector<TrendSeries> series = trend_series(runs);
  for (const std::string& suite : suites_of(runs)) page.add_section(suite, suite_charts(runs, series, suite));
  return page.render();
}

}  // namespace benchrun::reports::html
