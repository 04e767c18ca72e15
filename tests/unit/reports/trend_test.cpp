// The trend of a history: one series per suite x backend x case x start mode x metric, one point per run that
// measured it, regressed runs marked.
#include "reports/trend.hpp"

#include <gtest/gtest.h>

#include "trend_runs.hpp"

namespace benchrun::reports {
namespace {

TrendRun night(const std::string& id, RunVerdict verdict, double factor) {
  return testing::example_trend_run(id, verdict, factor);
}

std::vector<double> medians_of(const TrendSeries& series) {
  std::vector<double> medians;
  for (const TrendPoint& point : series.points) medians.push_back(point.median);
  return medians;
}

TEST(TrendSeries, FollowsEachMetricRunAfterRunAndMarksRegressedRuns) {
  const std::vector<TrendRun> runs = {night("20261201T020000Z-startup", RunVerdict::good, 1.0),
                                      night("20261202T020000Z-startup", RunVerdict::regressed, 2.0),
                                      night("20261203T020000Z-startup", RunVerdict::good, 1.0)};
  const auto series = trend_series(runs);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series_label(series[0]), "container spin cold time_to_ready_ms");
  EXPECT_EQ(series_label(series[1]), "native spin cold time_to_ready_ms");
  EXPECT_EQ(medians_of(series[0]), (std::vector<double>{3.75, 7.5, 3.75}));
  EXPECT_EQ(medians_of(series[1]), (std::vector<double>{1.25, 2.5, 1.25}));
  const TrendPoint& regressed = series[1].points[1];
  EXPECT_EQ(regressed.run_index, 1u);
  EXPECT_TRUE(regressed.regressed);
  EXPECT_DOUBLE_EQ(regressed.ci_low, 2.25);
  EXPECT_DOUBLE_EQ(regressed.ci_high, 2.75);
  EXPECT_FALSE(series[1].points[0].regressed);
  EXPECT_FALSE(series[1].points[2].regressed);
  EXPECT_EQ(series[1].unit, "ms");
  EXPECT_EQ(series[1].suite, "startup");
}

TEST(TrendSeries, ARunWithoutARowLeavesAGapAndANewRowStartsLate) {
  std::vector<TrendRun> runs = {night("20261201T020000Z-startup", RunVerdict::good, 1.0),
                                night("20261202T020000Z-startup", RunVerdict::failed, 1.0)};
  runs[0].report.summaries.pop_back();  // no container row in the first run
  runs[1].report.summaries.push_back({"native", "spin", StartMode::warm, "time_to_ready_ms", "ms", {}, std::nullopt});
  const auto series = trend_series(runs);
  ASSERT_EQ(series.size(), 3u);
  EXPECT_EQ(series_label(series[0]), "container spin cold time_to_ready_ms");
  ASSERT_EQ(series[0].points.size(), 1u);
  EXPECT_EQ(series[0].points[0].run_index, 1u);
  EXPECT_EQ(series_label(series[2]), "native spin warm time_to_ready_ms");
  EXPECT_EQ(series[2].points.size(), 1u);
  EXPECT_EQ(series[1].points.size(), 2u);
}

TEST(TrendSeries, SuitesStayApartAndTheDirectionComesFromTheMetricTable) {
  std::vector<TrendRun> runs = {night("20261201T020000Z-startup", RunVerdict::good, 1.0),
                                night("20261201T030000Z-density", RunVerdict::good, 1.0)};
  for (MetricSummary& row : runs[1].report.summaries) row.metric = "launch_rate";
  runs[1].report.metrics.push_back({"launch_rate", "1/s", Better::higher, "instances started per second"});
  const auto series = trend_series(runs);
  ASSERT_EQ(series.size(), 4u);
  EXPECT_EQ(series[0].suite, "density");
  EXPECT_EQ(series[0].better, Better::higher);
  EXPECT_EQ(series[3].suite, "startup");
  EXPECT_EQ(series[3].better, Better::lower);
}

TEST(TrendSeries, PhasesAreNoSeries) {
  std::vector<TrendRun> runs = {night("20261201T020000Z-startup", RunVerdict::good, 1.0)};
  runs[0].report.summaries.clear();
  ASSERT_FALSE(runs[0].report.phase_summaries.empty());
  EXPECT_TRUE(trend_series(runs).empty());
}

}  // namespace
}  // namespace benchrun::reports
