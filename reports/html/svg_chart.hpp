// The one chart module: every chart of every benchrun page (reports, compare pages, trend pages) is drawn
// here, as inline SVG made by pure functions from plain data. Output is deterministic (no randomness, fixed
// number formatting), so the same data always gives the same bytes. Each function returns one <svg> element
// with a viewBox (it scales to its container), a <title> and <desc> for screen readers, a visible title, and
// every label escaped. Colours are presentation attributes, so a chart also looks right outside our page.
// Empty data gives a chart that says "no data" rather than an error. Every member has a default, so designated
// initializers may name only what they set.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reports/html/axis.hpp"

namespace benchrun::reports::html {

// ---- box_plot: the distribution of one timing per group ----

struct BoxGroup {
  std::string label{};           // e.g. "container cold"
  std::vector<double> values{};  // every sample, in any order
  // Palette index of the row (e.g. one colour per backend over its cold and warm rows); its row index when
  // empty.
  std::optional<std::size_t> colour{};
};

struct BoxPlot {
  std::string title{};
  std::string description{};  // one sentence for <desc>; the title when empty
  std::string value_label{};  // the axis, with its unit: "time to ready (ms)"
  AxisScale scale = AxisScale::automatic;
  std::vector<BoxGroup> groups{};  // one row each, top to bottom
};

// One horizontal row per group: a box from Q1 to Q3 (type 7 percentiles), a line at the median, whiskers to
// the furthest samples within 1.5 IQR of the box (Tukey), every sample as a dot on the row (class "sample"),
// and the samples beyond the whiskers as distinct red rings (class "outlier"). A group without values shows
// "no samples"; a group of one value is its dot and median line.
std::string box_plot(const BoxPlot& chart);

// ---- stacked_bars: where the time goes ----

struct BarSegment {
  std::string label{};  // e.g. a phase: "cloned"; one colour per label across the chart
  double value = 0.0;   // the segment's length (e.g. ms from the previous phase); negatives count as 0
};

struct StackedBar {
  std::string label{};                 // e.g. "cold"
  std::vector<BarSegment> segments{};  // left to right
};

struct StackedBars {
  std::string title{};
  std::string description{};
  std::string value_label{};  // "ms since launch"
  std::vector<StackedBar> bars{};
};

// One horizontal bar per entry, its segments side by side from 0 on a linear axis (class "segment", each
// with a <title> tooltip "label: value"), and a legend of segment labels in order of first appearance.
std::string stacked_bars(const StackedBars& chart);

// ---- ratio_bars: how far from the baseline ----

struct RatioBar {
  std::string label{};  // e.g. "container cold · time_to_ready_ms"
  double ratio = 1.0;
  std::optional<double> ci_low{};  // the interval of the ratio, when known: drawn as a whisker
  std::optional<double> ci_high{};
};

struct RatioBars {
  std::string title{};
  std::string description{};
  std::string value_label = "ratio to native";
  double reference = 1.0;  // where the bars start and the dashed reference line stands
  AxisScale scale = AxisScale::automatic;
  std::vector<RatioBar> bars{};
};

// One horizontal bar per ratio from the reference line to the ratio (class "ratio"), the interval as a
// whisker with end caps (class "interval"), the ratio printed at the bar's end ("3.00x").
std::string ratio_bars(const RatioBars& chart);

// ---- line_chart: curves and trends ----

struct LinePoint {
  double x = 0.0;
  double y = 0.0;
  bool marked = false;  // drawn as a distinct mark (class "marked"): e.g. a regression on a trend page
  std::string note{};   // tooltip of the point when not empty (e.g. a run id or a date)
};

struct LineSeries {
  std::string label{};
  std::vector<LinePoint> points{};  // drawn in this order
};

struct LineChart {
  std::string title{};
  std::string description{};
  std::string x_label{};  // with unit: "instances"
  std::string y_label{};  // "memory per instance (MiB)"
  AxisScale x_scale = AxisScale::linear;
  AxisScale y_scale = AxisScale::linear;
  std::vector<LineSeries> series{};  // one colour each, named in the legend
};

// Every series as a polyline (class "series") with a dot per point (class "point"; marked points class
// "marked"), x and y axes with ticks and grid, and a legend.
std::string line_chart(const LineChart& chart);

// ---- verdict_matrix: pass/fail per check and backend ----

enum class CellState { pass, fail, absent };

struct MatrixCell {
  CellState state = CellState::absent;
  std::string note{};  // tooltip: e.g. the verdict's why
};

struct VerdictMatrix {
  std::string title{};
  std::string description{};
  std::vector<std::string> rows{};               // e.g. checks
  std::vector<std::string> columns{};            // e.g. backends
  std::vector<std::vector<MatrixCell>> cells{};  // cells[row][column]; missing entries are absent
};

// A grid of cells (class "pass", "fail" or "absent"), each with its word in it ("pass", "FAIL", "–") so it
// reads without colour too, row labels on the left and column labels on top.
std::string verdict_matrix(const VerdictMatrix& chart);

}  // namespace benchrun::reports::html
