#include "reports/html/svg_builder.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>

#include "sys/markup_escape.hpp"

namespace benchrun::reports::html {
namespace {

constexpr std::array<std::string_view, 8> okabe_ito = {"#0072b2", "#e69f00", "#009e73", "#d55e00",
                                                       "#cc79a7", "#56b4e9", "#f0e442", "#000000"};
constexpr double legend_row_height = 18.0;
constexpr double legend_swatch = 10.0;

std::string tooltip_element(std::string_view tooltip) {
  return tooltip.empty() ? std::string() : fmt::format("<title>{}</title>", sys::markup_escape(tooltip));
}

// Where each legend entry goes: (x, row) for every label.
std::vector<std::pair<double, int>> legend_layout(const std::vector<std::string>& labels, double left, double right) {
  std::vector<std::pair<double, int>> places;
  double x = left;
  int row = 0;
  for (const std::string& label : labels) {
    const double width = legend_swatch + 6.0 + text_width(label) + 16.0;
    if (x > left && x + width > right) {
      x = left;
      ++row;
    }
    places.emplace_back(x, row);
    x += width;
  }
  return places;
}

}  // namespace

std::string coordinate(double value) { return fmt::format("{:.1f}", value == 0.0 ? 0.0 : value); }

std::string_view palette_colour(std::size_t index) { return okabe_ito[index % okabe_ito.size()]; }

double text_width(std::string_view text) { return static_cast<double>(text.size()) * font_size * 0.6; }

SvgBuilder::SvgBuilder(double width, double height, std::string_view title, std::string_view description) {
  out_ = fmt::format(R"(<svg class="chart" viewBox="0 0 {} {}" role="img" )"
                     R"(font-family="sans-serif" font-size="{}"><title>{}</title><desc>{}</desc>)",
                     coordinate(width), coordinate(height), coordinate(font_size), sys::markup_escape(title),
                     sys::markup_escape(description.empty() ? title : description));
  text(8.0, 20.0, title, R"(class="chart-title" font-weight="bold" font-size="14")");
}

void SvgBuilder::line(double x1, double y1, double x2, double y2, std::string_view attributes) {
  out_ += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" {}/>)", coordinate(x1), coordinate(y1), coordinate(x2),
                      coordinate(y2), attributes);
}

void SvgBuilder::rect(double x, double y, double width, double height, std::string_view attributes,
                      std::string_view tooltip) {
  const std::string head = fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" {})", coordinate(x), coordinate(y),
                                       coordinate(std::max(width, 0.0)), coordinate(std::max(height, 0.0)), attributes);
  out_ += tooltip.empty() ? head + "/>" : head + ">" + tooltip_element(tooltip) + "</rect>";
}

void SvgBuilder::circle(double cx, double cy, double radius, std::string_view attributes, std::string_view tooltip) {
  const std::string head = fmt::format(R"(<circle cx="{}" cy="{}" r="{}" {})", coordinate(cx), coordinate(cy),
                                       coordinate(radius), attributes);
  out_ += tooltip.empty() ? head + "/>" : head + ">" + tooltip_element(tooltip) + "</circle>";
}

void SvgBuilder::text(double x, double y, std::string_view content, std::string_view attributes) {
  out_ += fmt::format(R"(<text x="{}" y="{}" {}>{}</text>)", coordinate(x), coordinate(y), attributes,
                      sys::markup_escape(content));
}

void SvgBuilder::polyline(const std::vector<std::pair<double, double>>& points, std::string_view attributes) {
  std::string coordinates;
  for (const auto& [x, y] : points) {
    if (!coordinates.empty()) coordinates += ' ';
    coordinates += coordinate(x) + "," + coordinate(y);
  }
  out_ += fmt::format(R"(<polyline points="{}" fill="none" {}/>)", coordinates, attributes);
}

std::string SvgBuilder::finish() && { return std::move(out_) + "</svg>"; }

void draw_x_axis(SvgBuilder& svg, const ValueAxis& axis, double left, double right, double top, double bottom,
                 std::string_view label) {
  for (const double tick : axis.ticks()) {
    const double x = left + axis.fraction(tick) * (right - left);
    svg.line(x, top, x, bottom, R"(class="grid" stroke="#ddd")");
    svg.text(x, bottom + 14.0, tick_label(tick), R"(class="tick" text-anchor="middle" fill="#444")");
  }
  svg.line(left, bottom, right, bottom, R"(class="axis" stroke="#444")");
  const std::string_view scale_note = axis.is_log() ? " (log scale)" : "";
  svg.text((left + right) / 2.0, bottom + 32.0, fmt::format("{}{}", label, scale_note),
           R"(class="axis-label" text-anchor="middle" fill="#222")");
}

void draw_y_axis(SvgBuilder& svg, const ValueAxis& axis, double left, double right, double top, double bottom,
                 std::string_view label) {
  for (const double tick : axis.ticks()) {
    const double y = bottom - axis.fraction(tick) * (bottom - top);
    svg.line(left, y, right, y, R"(class="grid" stroke="#ddd")");
    svg.text(left - 6.0, y + 4.0, tick_label(tick), R"(class="tick" text-anchor="end" fill="#444")");
  }
  svg.line(left, top, left, bottom, R"(class="axis" stroke="#444")");
  const std::string_view scale_note = axis.is_log() ? " (log scale)" : "";
  const double middle = (top + bottom) / 2.0;
  svg.text(14.0, middle, fmt::format("{}{}", label, scale_note),
           fmt::format(R"svg(class="axis-label" text-anchor="middle" fill="#222" transform="rotate(-90 14 {})")svg",
                       coordinate(middle)));
}

double legend_height(const std::vector<std::string>& labels, double left, double right) {
  if (labels.empty()) return 0.0;
  return (legend_layout(labels, left, right).back().second + 1) * legend_row_height;
}

double draw_legend(SvgBuilder& svg, const std::vector<std::string>& labels, double left, double right, double y) {
  const auto places = legend_layout(labels, left, right);
  for (std::size_t index = 0; index < labels.size(); ++index) {
    const auto [x, row] = places[index];
    const double row_y = y + row * legend_row_height;
    svg.rect(x, row_y, legend_swatch, legend_swatch,
             fmt::format(R"(class="legend-swatch" fill="{}")", palette_colour(index)));
    svg.text(x + legend_swatch + 6.0, row_y + legend_swatch, labels[index], R"(class="legend" fill="#222")");
  }
  return y + legend_height(labels, left, right);
}

std::string empty_chart(std::string_view title, std::string_view description) {
  SvgBuilder svg(chart_width, 70.0, title, description);
  svg.text(chart_width / 2.0, 50.0, "no data", R"(class="empty" text-anchor="middle" fill="#666")");
  return std::move(svg).finish();
}

}  // namespace benchrun::reports::html
