// The drawing primitives svg_chart's charts share: an <svg> being written, coordinates in a fixed format,
// a palette, and the parts every chart has (title, a horizontal value axis, a legend). Internal to the chart
// module; pages use svg_chart.hpp.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reports/html/axis.hpp"

namespace benchrun::reports::html {

// A coordinate or length in the fixed format of every chart: one decimal ("12.5").
std::string coordinate(double value);

// Colour `index` of a palette that stays apart for colour-blind readers (Okabe & Ito), cycling.
std::string_view palette_colour(std::size_t index);

inline constexpr double chart_width = 760.0;
inline constexpr double title_height = 30.0;
inline constexpr double font_size = 12.0;

// An approximate text width in our font size, to size margins (no font metrics offline).
double text_width(std::string_view text);

class SvgBuilder {
 public:
  // Starts <svg viewBox="0 0 width height"> with <title> and <desc> (the title when description is empty),
  // and the visible title at the top left.
  SvgBuilder(double width, double height, std::string_view title, std::string_view description);

  // `attributes` are written as given (our own, never user text): e.g. R"(class="box" fill="#fff")".
  void line(double x1, double y1, double x2, double y2, std::string_view attributes);
  void rect(double x, double y, double width, double height, std::string_view attributes,
            std::string_view tooltip = {});
  void circle(double cx, double cy, double radius, std::string_view attributes, std::string_view tooltip = {});
  // `content` is escaped.
  void text(double x, double y, std::string_view content, std::string_view attributes);
  void polyline(const std::vector<std::pair<double, double>>& points, std::string_view attributes);

  // Closes the <svg> and returns it.
  std::string finish() &&;

 private:
  std::string out_;
};

// The value axis along the bottom of a plot area [left, right] x [top, bottom]: a grid line and a label per
// tick, and the axis label centred below.
void draw_x_axis(SvgBuilder& svg, const ValueAxis& axis, double left, double right, double top, double bottom,
                 std::string_view label);

// The same up the left side: ticks labelled to the left of `left`, the label turned along the axis.
void draw_y_axis(SvgBuilder& svg, const ValueAxis& axis, double left, double right, double top, double bottom,
                 std::string_view label);

// A legend row of coloured squares and labels starting at (left, y), wrapping at `right`; returns the y
// below it.
double draw_legend(SvgBuilder& svg, const std::vector<std::string>& labels, double left, double right, double y);

// Height a legend of `labels` takes between left and right.
double legend_height(const std::vector<std::string>& labels, double left, double right);

// A chart with nothing to draw: its title and "no data".
std::string empty_chart(std::string_view title, std::string_view description);

}  // namespace benchrun::reports::html
