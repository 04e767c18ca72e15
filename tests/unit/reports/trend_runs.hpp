// Runs of a history for the trend tests, made of example_report.
#pragma once

#include <string>

#include "reports/trend.hpp"

namespace benchrun::reports::testing {

// example_report (native and container, case spin, cold, time_to_ready_ms: medians 1.25 and 3.75 ms) filed as
// the run `id` with `verdict`, every median `factor` times as long and its interval [0.9, 1.1] x the median.
TrendRun example_trend_run(const std::string& id, RunVerdict verdict, double factor);

}  // namespace benchrun::reports::testing
