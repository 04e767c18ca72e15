#include "trend_runs.hpp"

#include "test_support.hpp"

namespace benchrun::reports::testing {

TrendRun example_trend_run(const std::string& id, RunVerdict verdict, double factor) {
  TrendRun trend_run{*parse_run_id(id), example_report()};
  trend_run.run.verdict = verdict;
  trend_run.run.has_report = true;
  for (MetricSummary& row : trend_run.report.summaries) {
    row.summary.median *= factor;
    row.summary.ci_low = row.summary.median * 0.9;
    row.summary.ci_high = row.summary.median * 1.1;
  }
  return trend_run;
}

}  // namespace benchrun::reports::testing
