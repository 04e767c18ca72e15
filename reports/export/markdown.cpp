// The summary table (the columns of the terminal table, reports/table.hpp) as a GitHub-flavoured Markdown
// table, e.g. for a comment on a pull request. Figures align right; a "|" in a cell is escaped.
#include <fmt/format.h>

#include "reports/export/export.hpp"
#include "reports/table.hpp"

namespace benchrun::reports {
namespace {

constexpr std::size_t text_columns = 4;  // backend, case, start, metric; then the figures

std::string markdown_row(const SummaryRow& cells) {
  std::string row = "|";
  for (const std::string& cell : cells) {
    std::string escaped;
    for (const char character : cell) {
      if (character == '|') escaped += '\\';
      escaped += character;
    }
    row += " " + escaped + " |";
  }
  return row + "\n";
}

}  // namespace

RenderedExport render_markdown(const Report& report) {
  std::string out;
  if (!report.complete) out += fmt::format("**Partial results**: run {} did not complete.\n\n", report.run_id);
  const std::vector<SummaryRow> rows = summary_table_rows(report);
  if (rows.size() < 2) return {out + "No successful measurements to summarize.\n", {}};
  out += markdown_row(rows.front());
  out += "|";
  for (std::size_t column = 0; column < summary_column_count; ++column)
    out += column < text_columns ? " --- |" : " ---: |";
  out += "\n";
  for (std::size_t index = 1; index < rows.size(); ++index) out += markdown_row(rows[index]);
  return {out, {}};
}

}  // namespace benchrun::reports
