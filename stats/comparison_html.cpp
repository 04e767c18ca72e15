// The comparison as one self-contained page, built with reports/html (HtmlPage, html_table, ratio_bars): the
// verdict, the rows grouped by change with regressed and improved rows highlighted, one chart per metric of the
// ratios with their intervals against the threshold band, the warnings, and what was compared how.
#include <fmt/format.h>

#include <map>

#include "reports/html/page.hpp"
#include "reports/html/svg_chart.hpp"
#include "stats/comparison_render.hpp"

namespace benchrun::stats {
namespace {

namespace html = reports::html;

// html_table takes no class per row: a group of rows is highlighted by the box around its table instead (inline
// styles: the page's policy allows them, and its stylesheet is reports/html's).
std::string highlighted(const std::string& table_html, Change change) {
  switch (change) {
    case Change::regressed:
      return "<div style=\"border-left:4px solid #a00;background:#fdecec;padding:.1rem .6rem\">" + table_html +
             "</div>";
    case Change::improved:
      return "<div style=\"border-left:4px solid #1a7f37;background:#eaf6ec;padding:.1rem .6rem\">" + table_html +
             "</div>";
    case Change::unchanged:
      break;
  }
  return table_html;
}

// One table per change that has rows, regressions first.
std::string rows_html(const ComparisonReport& report) {
  std::string out;
  for (const Change change : {Change::regressed, Change::improved, Change::unchanged}) {
    std::vector<const ComparisonRow*> rows;
    for (const ComparisonRow& row : report.comparison.rows) {
      if (row.change == change) rows.push_back(&row);
    }
    if (rows.empty()) continue;
    std::vector<std::vector<std::string>> cells = comparison_table_cells(report, rows);
    const std::vector<std::string> header = std::move(cells.front());
    cells.erase(cells.begin());
    out += html::subheading(fmt::format("{} ({})", to_string(change), rows.size()));
    out += highlighted(html::html_table(header, cells, comparison_text_columns), change);
  }
  return out;
}

std::string row_label(const ComparisonRow& row) {
  return fmt::format("{} {} {}", row.backend, row.case_name,
                     row.start_mode ? std::string(reports::to_string(*row.start_mode)) : "-");
}

// ratio_bars draws no band: the band is the interval whisker of a first bar of ratio 1 (a threshold of 100 % or
// more reaches 0 and has no band on a ratio axis).
std::optional<html::RatioBar> threshold_band(const CompareOptions& options) {
  if (options.threshold <= 0.0 || options.threshold >= 1.0) return std::nullopt;
  return html::RatioBar{fmt::format("±{:g}% threshold", options.threshold * 100.0), 1.0, 1.0 - options.threshold,
                        1.0 + options.threshold};
}

// One chart per metric: each backend x case x start mode's ratio of medians with its interval.
std::string charts_html(const ComparisonReport& report) {
  std::map<std::string, std::vector<const ComparisonRow*>> by_metric;
  for (const ComparisonRow& row : report.comparison.rows) by_metric[row.metric].push_back(&row);
  std::string out;
  for (const auto& [metric, rows] : by_metric) {
    html::RatioBars chart;
    chart.title = metric;
    chart.description = fmt::format("current / baseline median of {} per backend, case and start mode", metric);
    chart.value_label = rows.front()->better == reports::Better::higher ? "current / baseline (higher is better)"
                                                                        : "current / baseline (lower is better)";
    if (const auto band = threshold_band(report.options)) chart.bars.push_back(*band);
    for (const ComparisonRow* row : rows) {
      chart.bars.push_back(html::RatioBar{fmt::format("{}: {}", row_label(*row), to_string(row->change)), row->ratio,
                                          row->ratio_interval.low, row->ratio_interval.high});
    }
    out += html::figure(html::ratio_bars(chart),
                        fmt::format("Whiskers: the {:g}% bootstrap interval of each ratio; the first row's whisker is "
                                    "the threshold band, beyond which a change with p < {:g} counts.",
                                    report.options.bootstrap.confidence * 100.0, report.options.alpha));
  }
  return out;
}

std::string compared_html(const ComparisonReport& report) {
  const auto report_fact = [](const ComparedReport& compared) {
    return fmt::format("{} (run {}, started {})", compared.file, compared.run_id, compared.started_at);
  };
  return html::facts_table({
      {"suite", report.suite},
      {"baseline", report_fact(report.baseline)},
      {"current", report_fact(report.current)},
      {"threshold", fmt::format("{:g}% change of the median", report.options.threshold * 100.0)},
      {"alpha", fmt::format("{:g} (two-sided Mann-Whitney U)", report.options.alpha)},
      {"interval", fmt::format("{:g}% percentile bootstrap of the ratio, {} resamples",
                               report.options.bootstrap.confidence * 100.0, report.options.bootstrap.resamples)},
  });
}

}  // namespace

std::string render_comparison_html(const ComparisonReport& report) {
  html::HtmlPage page(fmt::format("benchrun compare: {}", report.suite));
  page.set_subtitle(fmt::format("{} against the baseline {}", report.current.file, report.baseline.file));
  const ChangeCounts counts = count_changes(report.comparison);
  if (counts.regressed > 0) page.add_banner(fmt::format("Regression: {}", counts_line(report)));
  page.add_section("Changes", html::paragraph(counts_line(report)) + rows_html(report));
  page.add_section("Ratios", charts_html(report));
  if (!report.comparison.warnings.empty())
    page.add_section("Warnings", html::bullet_list(report.comparison.warnings, "warning"));
  page.add_section("Compared", compared_html(report));
  return page.render();
}

}  // namespace benchrun::stats
