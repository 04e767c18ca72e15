// The two-dimensional charts of svg_chart.hpp: line charts (x and y axes) and the verdict matrix.
#include <fmt/format.h>
#include <algorithm>

#include "reports/html/svg_builder.hpp"
#include "reports/html/svg_chart.hpp"

namespace benchrun::reports::html {
namespace {

constexpr double plot_height = 260.0;

struct CellLook {
  std::string_view css_class;
  std::string_view word;  // so that the matrix reads without colour
  std::string_view fill;
  std::string_view ink;
};

CellLook look_of(CellState state) {
  switch (state) {
    case CellState::pass:
      return {"pass", "pass", "#d9f0d3", "#1b5e20"};
    case CellState::fail:
      return {"fail", "FAIL", "#f8d0cc", "#8b0000"};
    case CellState::absent:
      break;
  }
  return {"absent", "-", "#f2f2f2", "#777"};
}

}  // namespace

std::string line_chart(const LineChart& chart) {
  std::vector<double> xs;
  std::vector<double> ys;
  std::vector<std::string> labels;
  for (const LineSeries& series : chart.series) {
    labels.push_back(series.label);
    for (const LinePoint& point : series.points) {
      xs.push_back(point.x);
      ys.push_back(point.y);
    }
  }
  if (xs.empty()) return empty_chart(chart.title, chart.description);

  const ValueAxis x_axis = ValueAxis::fit(xs, chart.x_scale);
  const ValueAxis y_axis = ValueAxis::fit(ys, chart.y_scale);
  const double left = 76.0;
  const double right = chart_width - 24.0;
  const double top = title_height + 10.0;
  const double bottom = top + plot_height;
  const double legend_top = bottom + 48.0;
  SvgBuilder svg(chart_width, legend_top + legend_height(labels, left, right) + 4.0, chart.title, chart.description);
  draw_x_axis(svg, x_axis, left, right, top, bottom, chart.x_label);
  draw_y_axis(svg, y_axis, left, right, top, bottom, chart.y_label);
  const auto position = [&](const LinePoint& point) {
    return std::pair{left + x_axis.fraction(point.x) * (right - left),
                     bottom - y_axis.fraction(point.y) * (bottom - top)};
  };
  for (std::size_t index = 0; index < chart.series.size(); ++index) {
    const std::string_view colour = palette_colour(index);
    std::vector<std::pair<double, double>> points;
    for (const LinePoint& point : chart.series[index].points) points.push_back(position(point));
    svg.polyline(points, fmt::format(R"(class="series" stroke="{}" stroke-width="1.5")", colour));
    for (const LinePoint& point : chart.series[index].points) {
      const auto [x, y] = position(point);
      if (point.marked) {
        svg.circle(x, y, 5.0, R"(class="marked" fill="none" stroke="#c00" stroke-width="2")", point.note);
      } else {
        svg.circle(x, y, 2.5, fmt::format(R"(class="point" fill="{}")", colour), point.note);
      }
    }
  }
  draw_legend(svg, labels, left, right, legend_top);
  return std::move(svg).finish();
}

std::string verdict_matrix(const VerdictMatrix& chart) {
  if (chart.rows.empty() || chart.columns.empty()) return empty_chart(chart.title, chart.description);
  constexpr double cell_width = 84.0;
  constexpr double cell_height = 24.0;
  double widest_row = 0.0;
  for (const std::string& row : chart.rows) widest_row = std::max(widest_row, text_width(row));
  const double left = std::clamp(widest_row + 16.0, 60.0, 360.0);
  const double top = title_height + 30.0;  // column labels above the grid
  const double width = std::max(chart_width, left + cell_width * static_cast<double>(chart.columns.size()) + 16.0);
  SvgBuilder svg(width, top + cell_height * static_cast<double>(chart.rows.size()) + 12.0, chart.title,
                 chart.description);
  for (std::size_t column = 0; column < chart.columns.size(); ++column) {
    svg.text(left + (static_cast<double>(column) + 0.5) * cell_width, top - 8.0, chart.columns[column],
             R"(class="column-label" text-anchor="middle" fill="#222")");
  }
  for (std::size_t row = 0; row < chart.rows.size(); ++row) {
    const double y = top + static_cast<double>(row) * cell_height;
    svg.text(left - 8.0, y + cell_height / 2.0 + 4.0, chart.rows[row],
             R"(class="row-label" text-anchor="end" fill="#222")");
    for (std::size_t column = 0; column < chart.columns.size(); ++column) {
      const MatrixCell cell =
          row < chart.cells.size() && column < chart.cells[row].size() ? chart.cells[row][column] : MatrixCell{};
      const CellLook look = look_of(cell.state);
      const double x = left + static_cast<double>(column) * cell_width;
      svg.rect(x, y, cell_width, cell_height,
               fmt::format(R"(class="{}" fill="{}" stroke="#fff" stroke-width="2")", look.css_class, look.fill),
               cell.note);
      svg.text(x + cell_width / 2.0, y + cell_height / 2.0 + 4.0, look.word,
               fmt::format(R"(class="cell-word" text-anchor="middle" fill="{}")", look.ink));
    }
  }
  return std::move(svg).finish();
}

}  // namespace benchrun::reports::html
