// The input of the common GitHub benchmark action (benchmark-action/github-action-benchmark) with tool
// customSmallerIsBetter: a JSON array of {name, value, unit, range, extra}, one per summary, the median as
// value. The action takes one direction per file, so this file holds the lower-is-better metrics only; a
// higher-is-better metric is left out with a warning.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <set>

#include "reports/export/export.hpp"
#include "reports/metric_table.hpp"

namespace benchrun::reports {

RenderedExport render_github_action(const Report& report) {
  nlohmann::json entries = nlohmann::json::array();
  std::set<std::string> left_out;
  for (const MetricSummary& summary : report.summaries) {
    const MetricDef* row = find_metric(report.metrics, summary.metric);
    const Better better = row != nullptr ? row->better : Better::lower;
    if (better != Better::lower) {
      left_out.insert(summary.metric);
      continue;
    }
    const SummaryStats& stats = summary.summary;
    const std::string start = summary.start_mode ? std::string(to_string(*summary.start_mode)) : "-";
    entries.push_back({
        {"name", fmt::format("{}/{}/{}/{}", summary.backend, summary.case_name, start, summary.metric)},
        {"value", stats.median},
        {"unit", summary.unit},
        {"range", fmt::format("± {}", (stats.ci_high - stats.ci_low) / 2)},
        {"extra", fmt::format("start mode {}, n = {}, median with its {:g}% CI, lower is better", start, stats.count,
                              stats.ci_level * 100)},
    });
  }
  RenderedExport rendered{entries.dump(2) + "\n", {}};
  for (const std::string& metric : left_out) {
    rendered.warnings.push_back(fmt::format(
        "github-action export: left out {} (higher is better; the file holds smaller-is-better metrics only)", metric));
  }
  return rendered;
}

}  // namespace benchrun::reports
