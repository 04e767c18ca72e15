// The terminal view of a report: one row per backend x case x start mode x metric with median, p90, the 95 %
// interval of the median, n, failures and the ratio to native (of the same case and start mode); aligned
// plain-ASCII columns, values in the unit of the report's metric table, a metric where higher is better
// marked so. Below, one line per backend x case x start mode with the median of each phase in ms since
// launch, in the order they happened.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::reports {

// Rows in the order of report.summaries, then the phase lines. A partial report (complete == false) says so in its
// first line.
std::string render_summary_table(const Report& report);

inline constexpr std::size_t summary_column_count = 10;
using SummaryRow = std::array<std::string, summary_column_count>;

// The cells of the table (the header row, then one row per summary), unaligned: for other renderings of the
// same table (Markdown).
std::vector<SummaryRow> summary_table_rows(const Report& report);

// A value with precision that fits its magnitude: 3 significant digits below 100, whole numbers above
// ("0.123", "1.23", "12.3", "123", "12345").
std::string format_figure(double value);

// Rows of cells as plain-ASCII columns two spaces apart: the first `left_columns` (text) align left, the rest
// (figures) right; trailing blanks trimmed, one line per row.
std::string render_columns(const std::vector<std::vector<std::string>>& rows, std::size_t left_columns);

}  // namespace benchrun::reports
