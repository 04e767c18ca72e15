#include "reports/trend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace benchrun::reports {
namespace {

// Rows without a start mode (older reports) come after cold and warm.
int start_mode_rank(const std::optional<StartMode>& start_mode) {
  return start_mode ? static_cast<int>(*start_mode) : 2;
}

using SeriesKey = std::tuple<std::string, std::string, std::string, std::string, int>;

SeriesKey key_of(const std::string& suite, const MetricSummary& summary) {
  return {suite, summary.case_name, summary.metric, summary.backend, start_mode_rank(summary.start_mode)};
}

Better better_of(const Report& report, const std::string& metric) {
  const auto row = std::find_if(report.metrics.begin(), report.metrics.end(),
                                [&](const MetricDef& def) { return def.name == metric; });
  return row == report.metrics.end() ? Better::lower : row->better;
}

}  // namespace

std::vector<TrendSeries> trend_series(const std::vector<TrendRun>& runs) {
  std::map<SeriesKey, TrendSeries> by_key;
  for (std::size_t index = 0; index < runs.size(); ++index) {
    const TrendRun& run = runs[index];
    for (const MetricSummary& summary : run.report.summaries) {
      TrendSeries& series = by_key[key_of(run.run.suite, summary)];
      series.suite = run.run.suite;
      series.backend = summary.backend;
      series.case_name = summary.case_name;
      series.start_mode = summary.start_mode;
      series.metric = summary.metric;
      series.unit = summary.unit;  // the newest run's unit and direction win
      series.better = better_of(run.report, summary.metric);
      series.points.push_back({index, summary.summary.median, summary.summary.ci_low, summary.summary.ci_high,
                               run.run.verdict == RunVerdict::regressed});
    }
  }
  std::vector<TrendSeries> series;
  series.reserve(by_key.size());
  for (auto& [key, each] : by_key) series.push_back(std::move(each));
  return series;
}

std::string series_label(const TrendSeries& series) {
  return fmt::format("{} {} {}{}", series.backend, series.case_name,
                     series.start_mode ? fmt::format("{} ", to_string(*series.start_mode)) : std::string(),
                     series.metric);
}

}  // namespace benchrun::reports
