// The comparison as GitHub-flavoured Markdown for a CI comment: the verdict first, then the table with regressions
// on top and in bold (a reader scanning a pull request sees them first), then the warnings.
#include <fmt/format.h>

#include "stats/comparison_render.hpp"

namespace benchrun::stats {
namespace {

// A "|" would end the cell; Markdown escapes it with a backslash.
std::string escape_cell(const std::string& text) {
  std::string escaped;
  for (const char character : text) {
    if (character == '|') escaped.push_back('\\');
    escaped.push_back(character);
  }
  return escaped;
}

std::string table_line(const std::vector<std::string>& cells, bool bold) {
  std::string line = "|";
  const char* const emphasis = bold ? "**" : "";
  for (const std::string& cell : cells) line += fmt::format(" {}{}{} |", emphasis, escape_cell(cell), emphasis);
  return line + "\n";
}

}  // namespace

std::string render_comparison_markdown(const ComparisonReport& report) {
  const std::vector<const ComparisonRow*> rows = rows_by_change(report.comparison);
  const std::vector<std::vector<std::string>> cells = comparison_table_cells(report, rows);
  const ChangeCounts counts = count_changes(report.comparison);
  std::string out = fmt::format("### benchrun compare: {}\n\n", counts.regressed > 0 ? "regression" : "no regression");
  out += fmt::format("Suite `{}`: baseline `{}` against `{}`. {}.\n\n", report.suite, report.baseline.file,
                     report.current.file, counts_line(report));
  out += table_line(cells.front(), false);
  out += "|";
  for (std::size_t column = 0; column < cells.front().size(); ++column)
    out += column < comparison_text_columns ? " --- |" : " ---: |";
  out += "\n";
  for (std::size_t index = 0; index < rows.size(); ++index)
    out += table_line(cells[index + 1], rows[index]->change == Change::regressed);
  if (!report.comparison.warnings.empty()) {
    out += "\n";
    for (const std::string& warning : report.comparison.warnings) out += fmt::format("- warning: {}\n", warning);
  }
  return out;
}

}  // namespace benchrun::stats
