#include "reports/table.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace benchrun::reports {
namespace {

using testing::example_report;
using testing::lines_of;

TEST(FormatFigure, PrecisionFollowsMagnitude) {
  EXPECT_EQ(format_figure(0.12345), "0.123");
  EXPECT_EQ(format_figure(1.2345), "1.23");
  EXPECT_EQ(format_figure(12.345), "12.3");
  EXPECT_EQ(format_figure(123.45), "123");
  EXPECT_EQ(format_figure(12345.6), "12346");
  EXPECT_EQ(format_figure(0.0), "0");
}

TEST(RenderSummaryTable, PartialRunSaysSoFirst) {
  const auto lines = lines_of(render_summary_table(example_report()));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "PARTIAL RESULTS: run 20250301-123456-3f9a did not complete (interrupted or aborted)");
}

TEST(RenderSummaryTable, OneAlignedRowPerBackendCaseStartModeAndMetric) {
  Report report = example_report();
  report.complete = true;
  report.phase_summaries.clear();
  const auto lines = lines_of(render_summary_table(report));
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[0],
            "backend    case  start  metric             median      p90  95% CI of median  n  failed  vs native");
  EXPECT_EQ(lines[1],
            "native     spin  cold   time_to_ready_ms  1.25 ms  1.25 ms   [1.25, 1.25] ms  1       0   baseline");
  // Failures count per start mode: of the container's two failed samples, one was a cold start.
  EXPECT_EQ(lines[2],
            "container  spin  cold   time_to_ready_ms  3.75 ms  3.75 ms   [3.75, 3.75] ms  1       1      3.00x");
}

TEST(RenderSummaryTable, PhasesFollowAsOneLinePerBackendCaseAndStartModeInTheOrderTheyHappened) {
  Report report = example_report();
  report.complete = true;
  MetricSummary warm_clone = report.phase_summaries[0];
  warm_clone.start_mode = StartMode::warm;
  report.phase_summaries.push_back(warm_clone);
  const auto lines = lines_of(render_summary_table(report));
  ASSERT_EQ(lines.size(), 5U);
  EXPECT_EQ(lines[3], "phases container cold (case spin, median ms since launch): clone 0.250, launch_returned 0.500");
  EXPECT_EQ(lines[4], "phases container warm (case spin, median ms since launch): clone 0.250");
}

TEST(RenderSummaryTable, NoSummariesSaysThereIsNothingToShow) {
  Report report = example_report();
  report.complete = true;
  report.summaries.clear();
  EXPECT_EQ(render_summary_table(report), "no successful measurements to summarize\n");
}

TEST(RenderSummaryTable, MissingRatioShowsADash) {
  Report report = example_report();
  report.complete = true;
  report.summaries[1].ratio_to_native.reset();
  report.phase_summaries.clear();
  const auto lines = lines_of(render_summary_table(report));
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_TRUE(lines[2].ends_with(" -")) << lines[2];
}

}  // namespace
}  // namespace benchrun::reports

namespace benchrun::reports {
namespace {

TEST(RenderSummaryTable, UnitAndDirectionComeFromTheMetricTable) {
  Report report = testing::example_report_with_checks();
  report.complete = true;
  report.phase_summaries.clear();
  MetricSummary rate = report.summaries[0];
  rate.metric = "spin_rate";
  rate.unit = "stale";  // the metric table's unit wins over the one the row repeats
  report.summaries = {rate};
  const auto lines = testing::lines_of(render_summary_table(report));
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_TRUE(lines[1].starts_with("native   spin  cold   spin_rate (higher is better)  1.25 iterations/s"))
      << lines[1];
}

}  // namespace
}  // namespace benchrun::reports
