// The trend of a history folder (reports/history.hpp): each metric's median, with its confidence interval,
// run after run, and which runs regressed. Pure: the caller reads the runs, a page renders the series.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "reports/history.hpp"
#include "reports/model.hpp"

namespace benchrun::reports {

// One run of the history with its report.
struct TrendRun {
  HistoryRun run;
  Report report;
};

// One run's figure of one series.
struct TrendPoint {
  std::size_t run_index = 0;  // into the runs trend_series was given
  double median = 0.0;
  double ci_low = 0.0;  // the report's bootstrap interval of the median
  double ci_high = 0.0;
  bool regressed = false;  // the run's verdict is regressed (see its comparison.txt for which metric)
};

// One suite x backend x case x start mode x metric over the runs.
struct TrendSeries {
  std::string suite;
  std::string backend;
  std::string case_name;
  std::optional<StartMode> start_mode;
  std::string metric;
  std::string unit;
  Better better = Better::lower;   // from the metric table of the newest run carrying the metric
  std::vector<TrendPoint> points;  // oldest run first; a run without this row has no point
};

// Every series the runs' summaries hold (not phases), ordered by suite, case, metric, backend and start mode.
std::vector<TrendSeries> trend_series(const std::vector<TrendRun>& runs);

// What a series is called on a page: "native hello cold time_to_ready_ms".
std::string series_label(const TrendSeries& series);

}  // namespace benchrun::reports
