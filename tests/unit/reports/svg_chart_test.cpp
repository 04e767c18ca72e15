#include "reports/html/svg_chart.hpp"

#include <gtest/gtest.h>
#include <string>

#include "html_test_support.hpp"

namespace benchrun::reports::html {
namespace {

using testing::occurrences;

constexpr std::string_view hostile = "<script>alert(1)</script>";

TEST(BoxPlot, OneBoxPerGroupEverySampleADotAndOutliersMarkedApart) {
  BoxPlot chart{.title = "time to ready", .value_label = "ms"};
  // Q1 3.25, Q3 7.75: Tukey's upper fence is 14.5, so 100 lies beyond the whisker.
  chart.groups.push_back({"native", {1, 2, 3, 4, 5, 6, 7, 8, 9, 100}});
  chart.groups.push_back({"container", {10, 11, 12}});
  const std::string svg = box_plot(chart);
  EXPECT_EQ(occurrences(svg, R"(class="box")"), 2U);
  EXPECT_EQ(occurrences(svg, R"(class="median")"), 2U);
  EXPECT_EQ(occurrences(svg, R"(class="sample")"), 9U + 3U);
  EXPECT_EQ(occurrences(svg, R"(class="outlier")"), 1U);
  EXPECT_NE(svg.find("outlier 100"), std::string::npos);
}

TEST(BoxPlot, AGroupWithoutSamplesSaysSoAndNoDataAtAllIsAnEmptyChart) {
  BoxPlot chart{.title = "t"};
  chart.groups.push_back({"vm", {}});
  EXPECT_NE(box_plot(chart).find(">no data<"), std::string::npos);
  chart.groups.push_back({"native", {1.0}});
  const std::string svg = box_plot(chart);
  EXPECT_NE(svg.find(">no samples<"), std::string::npos);
  EXPECT_EQ(occurrences(svg, R"(class="box")"), 1U);
}

TEST(BoxPlot, ValuesSpanningDecadesGetALogAxisAndSayItOnTheLabel) {
  BoxPlot chart{.title = "t", .value_label = "time to ready (ms)"};
  chart.groups.push_back({"native", {1.0, 1.2}});
  chart.groups.push_back({"vm", {2000.0, 2100.0}});
  EXPECT_NE(box_plot(chart).find("time to ready (ms) (log scale)"), std::string::npos);
  chart.scale = AxisScale::linear;
  EXPECT_EQ(box_plot(chart).find("(log scale)"), std::string::npos);
}

TEST(SvgChart, HostileLabelsStayText) {
  BoxPlot boxes{
      .title = std::string(hostile), .description = std::string(hostile), .value_label = std::string(hostile)};
  boxes.groups.push_back({std::string(hostile), {1.0, 2.0}});
  StackedBars stacked{.title = std::string(hostile)};
  stacked.bars.push_back({std::string(hostile), {{std::string(hostile), 1.0}}});
  RatioBars ratios{.title = std::string(hostile)};
  ratios.bars.push_back({std::string(hostile), 2.0, 1.5, 2.5});
  LineChart lines{.title = std::string(hostile), .x_label = std::string(hostile)};
  lines.series.push_back({std::string(hostile), {{1.0, 2.0, true, std::string(hostile)}}});
  VerdictMatrix matrix{.title = std::string(hostile), .rows = {std::string(hostile)}, .columns = {"native"}};
  matrix.cells = {{{CellState::fail, std::string(hostile)}}};
  for (const std::string& svg :
       {box_plot(boxes), stacked_bars(stacked), ratio_bars(ratios), line_chart(lines), verdict_matrix(matrix)}) {
    EXPECT_EQ(svg.find("<script"), std::string::npos) << svg;
    EXPECT_NE(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << svg;
  }
}

TEST(SvgChart, SameDataSameBytes) {
  BoxPlot chart{.title = "t"};
  chart.groups.push_back({"native", {3.0, 1.0, 2.0, 50.0}});
  EXPECT_EQ(box_plot(chart), box_plot(chart));
  EXPECT_EQ(box_plot(chart).rfind("<svg class=\"chart\" viewBox=\"0 0 760.0 ", 0), 0U);
}

TEST(StackedBars, OneSegmentPerPhaseAndOneLegendEntryPerName) {
  StackedBars chart{.title = "phases", .value_label = "ms since launch"};
  chart.bars.push_back({"cold", {{"cloned", 0.5}, {"cgroup_ready", 12.0}, {"exec", 1.0}}});
  chart.bars.push_back({"warm", {{"cloned", 0.5}, {"cgroup_ready", 0.3}, {"exec", 1.0}}});
  const std::string svg = stacked_bars(chart);
  EXPECT_EQ(occurrences(svg, R"(class="segment")"), 6U);
  EXPECT_EQ(occurrences(svg, R"(class="legend-swatch")"), 3U);
  EXPECT_NE(svg.find("<title>cgroup_ready: 12</title>"), std::string::npos);
  EXPECT_NE(stacked_bars(StackedBars{.title = "none"}).find(">no data<"), std::string::npos);
}

TEST(RatioBars, IntervalsAreWhiskersAndTheReferenceLineStandsAtOne) {
  RatioBars chart{.title = "vs native"};
  chart.bars.push_back({"container cold", 3.0, 2.5, 3.4});
  chart.bars.push_back({"vm cold", 700.0, std::nullopt, std::nullopt});
  const std::string svg = ratio_bars(chart);
  EXPECT_EQ(occurrences(svg, R"(class="ratio")"), 2U);
  EXPECT_EQ(occurrences(svg, R"(class="interval")"), 3U);  // one bar: the interval and its two caps
  EXPECT_EQ(occurrences(svg, R"(class="reference")"), 1U);
  EXPECT_NE(svg.find(">3.00x<"), std::string::npos);
  EXPECT_NE(svg.find(">700.00x<"), std::string::npos);
  EXPECT_NE(svg.find("(log scale)"), std::string::npos);  // 1 to 700 spans decades
}

TEST(LineChart, EverySeriesAPolylineEveryPointADotMarkedPointsApart) {
  LineChart chart{.title = "memory", .x_label = "instances", .y_label = "MiB"};
  chart.series.push_back({"container", {{1, 10}, {2, 11}, {3, 30, true, "run 3: regressed"}}});
  chart.series.push_back({"vm", {{1, 100}, {2, 101}}});
  const std::string svg = line_chart(chart);
  EXPECT_EQ(occurrences(svg, R"(class="series")"), 2U);
  EXPECT_EQ(occurrences(svg, R"(class="point")"), 4U);
  EXPECT_EQ(occurrences(svg, R"(class="marked")"), 1U);
  EXPECT_NE(svg.find("<title>run 3: regressed</title>"), std::string::npos);
  EXPECT_EQ(occurrences(svg, R"(class="legend-swatch")"), 2U);
  EXPECT_NE(line_chart(LineChart{.title = "none"}).find(">no data<"), std::string::npos);
}

TEST(VerdictMatrix, EveryCellReadsWithoutColourAndMissingCellsAreAbsent) {
  VerdictMatrix chart{.title = "limits", .rows = {"memory.oom_at_limit", "pids.max"}, .columns = {"container", "vm"}};
  chart.cells = {{{CellState::pass, "peak 63 MiB"}, {CellState::fail, "no OOM"}}, {{CellState::pass, ""}}};
  const std::string svg = verdict_matrix(chart);
  EXPECT_EQ(occurrences(svg, R"(class="pass")"), 2U);
  EXPECT_EQ(occurrences(svg, R"(class="fail")"), 1U);
  EXPECT_EQ(occurrences(svg, R"(class="absent")"), 1U);
  EXPECT_EQ(occurrences(svg, ">FAIL<"), 1U);
  EXPECT_NE(svg.find("<title>no OOM</title>"), std::string::npos);
  EXPECT_NE(verdict_matrix(VerdictMatrix{.title = "none"}).find(">no data<"), std::string::npos);
}

}  // namespace
}  // namespace benchrun::reports::html
