// The row charts of svg_chart.hpp: one horizontal row per group on a value axis along the bottom (box plots,
// stacked bars, ratio bars). Rows rather than columns so that long labels ("oci:crun warm") stay readable.
#include "reports/html/svg_chart.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "reports/html/svg_builder.hpp"
#include "stats/percentile.hpp"

namespace benchrun::reports::html {
namespace {

constexpr double row_height = 30.0;
constexpr double axis_space = 44.0;  // tick labels and the axis label below the plot
constexpr double right_margin = 24.0;

// Where the rows of a row chart go.
struct RowLayout {
  double left = 0.0;   // the plot starts here, labels end left of it
  double right = 0.0;  // and ends here
  double top = 0.0;
  double bottom = 0.0;  // of the plot; the axis is drawn below

  [[nodiscard]] double row_middle(std::size_t row) const { return top + (static_cast<double>(row) + 0.5) * row_height; }
  [[nodiscard]] double x(const ValueAxis& axis, double value) const {
    return left + axis.fraction(value) * (right - left);
  }
};

RowLayout row_layout(const std::vector<std::string>& labels) {
  double widest = 0.0;
  for (const std::string& label : labels) widest = std::max(widest, text_width(label));
  RowLayout layout;
  layout.left = std::clamp(widest + 16.0, 60.0, 320.0);
  layout.right = chart_width - right_margin;
  layout.top = title_height + 8.0;
  layout.bottom = layout.top + static_cast<double>(labels.size()) * row_height;
  return layout;
}

void draw_row_labels(SvgBuilder& svg, const RowLayout& layout, const std::vector<std::string>& labels) {
  for (std::size_t row = 0; row < labels.size(); ++row) {
    svg.text(layout.left - 8.0, layout.row_middle(row) + 4.0, labels[row],
             R"(class="row-label" text-anchor="end" fill="#222")");
  }
}

template <typename Row>
std::vector<std::string> labels_of(const std::vector<Row>& rows) {
  std::vector<std::string> labels;
  for (const Row& row : rows) labels.push_back(row.label);
  return labels;
}

// The five numbers a box shows, and which samples lie beyond its whiskers.
struct BoxFigures {
  double q1 = 0.0;
  double median = 0.0;
  double q3 = 0.0;
  double whisker_low = 0.0;   // the smallest sample >= q1 - 1.5 IQR
  double whisker_high = 0.0;  // the largest sample <= q3 + 1.5 IQR
};

// Tukey's fences: 1.5 times the interquartile range beyond the box.
constexpr double tukey_fence = 1.5;

BoxFigures box_figures(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  BoxFigures box;
  box.q1 = stats::percentile_of_sorted(values, 25.0);
  box.median = stats::percentile_of_sorted(values, 50.0);
  box.q3 = stats::percentile_of_sorted(values, 75.0);
  const double fence = tukey_fence * (box.q3 - box.q1);
  box.whisker_low = *std::lower_bound(values.begin(), values.end(), box.q1 - fence);
  box.whisker_high = *std::prev(std::upper_bound(values.begin(), values.end(), box.q3 + fence));
  return box;
}

void draw_box_row(SvgBuilder& svg, const RowLayout& layout, const ValueAxis& axis, const BoxGroup& group,
                  std::size_t row) {
  const double middle = layout.row_middle(row);
  if (group.values.empty()) {
    svg.text(layout.left + 6.0, middle + 4.0, "no samples", R"(class="empty" fill="#666")");
    return;
  }
  const std::string_view colour = palette_colour(group.colour.value_or(row));
  const BoxFigures box = box_figures(group.values);
  const auto x = [&](double value) { return layout.x(axis, value); };
  const double half = 7.0;
  svg.line(x(box.whisker_low), middle, x(box.q1), middle, R"(class="whisker" stroke="#444")");
  svg.line(x(box.q3), middle, x(box.whisker_high), middle, R"(class="whisker" stroke="#444")");
  for (const double end : {box.whisker_low, box.whisker_high}) {
    svg.line(x(end), middle - half / 2.0, x(end), middle + half / 2.0, R"(class="whisker" stroke="#444")");
  }
  svg.rect(x(box.q1), middle - half, x(box.q3) - x(box.q1), 2.0 * half,
           fmt::format(R"(class="box" fill="{}" fill-opacity="0.18" stroke="{}")", colour, colour),
           fmt::format("median {}, quartiles {} to {}, n {}", tick_label(box.median), tick_label(box.q1),
                       tick_label(box.q3), group.values.size()));
  svg.line(x(box.median), middle - half, x(box.median), middle + half,
           R"(class="median" stroke="#000" stroke-width="2")");
  for (const double value : group.values) {
    if (value < box.whisker_low || value > box.whisker_high) {
      svg.circle(x(value), middle, 4.0, R"(class="outlier" fill="none" stroke="#c00" stroke-width="1.5")",
                 fmt::format("outlier {}", tick_label(value)));
    } else {
      svg.circle(x(value), middle, 2.5, fmt::format(R"(class="sample" fill="{}" fill-opacity="0.6")", colour));
    }
  }
}

}  // namespace

std::string box_plot(const BoxPlot& chart) {
  std::vector<double> all;
  for (const BoxGroup& group : chart.groups) all.insert(all.end(), group.values.begin(), group.values.end());
  if (all.empty()) return empty_chart(chart.title, chart.description);

  const std::vector<std::string> labels = labels_of(chart.groups);
  const RowLayout layout = row_layout(labels);
  const ValueAxis axis = ValueAxis::fit(all, chart.scale);
  SvgBuilder svg(chart_width, layout.bottom + axis_space, chart.title, chart.description);
  draw_x_axis(svg, axis, layout.left, layout.right, layout.top, layout.bottom, chart.value_label);
  draw_row_labels(svg, layout, labels);
  for (std::size_t row = 0; row < chart.groups.size(); ++row) draw_box_row(svg, layout, axis, chart.groups[row], row);
  return std::move(svg).finish();
}

std::string stacked_bars(const StackedBars& chart) {
  std::vector<std::string> segment_labels;  // in order of first appearance: one colour each
  std::vector<double> totals;
  for (const StackedBar& bar : chart.bars) {
    double total = 0.0;
    for (const BarSegment& segment : bar.segments) {
      if (std::find(segment_labels.begin(), segment_labels.end(), segment.label) == segment_labels.end()) {
        segment_labels.push_back(segment.label);
      }
      total += std::max(segment.value, 0.0);
    }
    totals.push_back(total);
  }
  if (segment_labels.empty()) return empty_chart(chart.title, chart.description);

  const std::vector<std::string> labels = labels_of(chart.bars);
  const RowLayout layout = row_layout(labels);
  const ValueAxis axis = ValueAxis::fit(totals, AxisScale::linear, 0.0);
  const double legend_top = layout.bottom + axis_space + 4.0;
  SvgBuilder svg(chart_width, legend_top + legend_height(segment_labels, layout.left, layout.right) + 4.0, chart.title,
                 chart.description);
  draw_x_axis(svg, axis, layout.left, layout.right, layout.top, layout.bottom, chart.value_label);
  draw_row_labels(svg, layout, labels);
  for (std::size_t row = 0; row < chart.bars.size(); ++row) {
    double start = 0.0;
    for (const BarSegment& segment : chart.bars[row].segments) {
      const double end = start + std::max(segment.value, 0.0);
      const auto colour_index = static_cast<std::size_t>(
          std::find(segment_labels.begin(), segment_labels.end(), segment.label) - segment_labels.begin());
      svg.rect(
          layout.x(axis, start), layout.row_middle(row) - 9.0, layout.x(axis, end) - layout.x(axis, start), 18.0,
          fmt::format(R"(class="segment" fill="{}" stroke="#fff" stroke-width="0.5")", palette_colour(colour_index)),
          fmt::format("{}: {}", segment.label, tick_label(segment.value)));
      start = end;
    }
  }
  draw_legend(svg, segment_labels, layout.left, layout.right, legend_top);
  return std::move(svg).finish();
}

std::string ratio_bars(const RatioBars& chart) {
  if (chart.bars.empty()) return empty_chart(chart.title, chart.description);
  std::vector<double> values;
  for (const RatioBar& bar : chart.bars) {
    values.push_back(bar.ratio);
    if (bar.ci_low) values.push_back(*bar.ci_low);
    if (bar.ci_high) values.push_back(*bar.ci_high);
  }
  const std::vector<std::string> labels = labels_of(chart.bars);
  RowLayout layout = row_layout(labels);
  layout.right -= 40.0;  // room for the printed ratio past the longest bar
  const ValueAxis axis = ValueAxis::fit(values, chart.scale, chart.reference);
  SvgBuilder svg(chart_width, layout.bottom + axis_space, chart.title, chart.description);
  draw_x_axis(svg, axis, layout.left, layout.right, layout.top, layout.bottom, chart.value_label);
  draw_row_labels(svg, layout, labels);
  const double reference_x = layout.x(axis, chart.reference);
  for (std::size_t row = 0; row < chart.bars.size(); ++row) {
    const RatioBar& bar = chart.bars[row];
    const double middle = layout.row_middle(row);
    const double end_x = layout.x(axis, bar.ratio);
    svg.rect(std::min(reference_x, end_x), middle - 8.0, std::abs(end_x - reference_x), 16.0,
             fmt::format(R"(class="ratio" fill="{}" fill-opacity="0.75")", palette_colour(row)),
             fmt::format("{}: {}x", bar.label, fmt::format("{:.2f}", bar.ratio)));
    if (bar.ci_low && bar.ci_high) {
      const double low_x = layout.x(axis, *bar.ci_low);
      const double high_x = layout.x(axis, *bar.ci_high);
      svg.line(low_x, middle, high_x, middle, R"(class="interval" stroke="#000" stroke-width="1.5")");
      for (const double cap : {low_x, high_x}) {
        svg.line(cap, middle - 5.0, cap, middle + 5.0, R"(class="interval" stroke="#000" stroke-width="1.5")");
      }
    }
    const double label_x = std::max(end_x, bar.ci_high ? layout.x(axis, *bar.ci_high) : end_x) + 6.0;
    svg.text(label_x, middle + 4.0, fmt::format("{:.2f}x", bar.ratio), R"(class="ratio-value" fill="#222")");
  }
  svg.line(reference_x, layout.top - 4.0, reference_x, layout.bottom,
           R"(class="reference" stroke="#000" stroke-dasharray="4 3")");
  return std::move(svg).finish();
}

}  // namespace benchrun::reports::html
