// The comparison as one self-contained HTML page: no script, no external resource, a Content-Security-Policy that
// forbids both, so the page can be attached to a CI run and opened anywhere. Regressed rows are red, improved green.
#include <fmt/format.h>

#include "stats/comparison_render.hpp"

namespace benchrun::stats {
namespace {

std::string escape_html(const std::string& text) {
  std::string escaped;
  for (const char character : text) {
    switch (character) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      default:
        escaped.push_back(character);
    }
  }
  return escaped;
}

constexpr const char* page_style =
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}th,td{padding:.25em .6em;border-bottom:1px solid #ddd}"
    "td.figure{text-align:right;font-variant-numeric:tabular-nums}"
    "tr.regressed{background:#fdd}tr.improved{background:#dfd}"
    ".warnings{color:#845}";

std::string table_html(const ComparisonReport& report) {
  const std::vector<const ComparisonRow*> rows = rows_by_change(report.comparison);
  const std::vector<std::vector<std::string>> cells = comparison_table_cells(report, rows);
  std::string out = "<table>\n<thead><tr>";
  for (const std::string& cell : cells.front()) out += fmt::format("<th>{}</th>", escape_html(cell));
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t index = 0; index < rows.size(); ++index) {
    out += fmt::format("<tr class=\"{}\">", to_string(rows[index]->change));
    const std::vector<std::string>& row = cells[index + 1];
    for (std::size_t column = 0; column < row.size(); ++column) {
      const char* const cell_class = column < comparison_text_columns ? "" : " class=\"figure\"";
      out += fmt::format("<td{}>{}</td>", cell_class, escape_html(row[column]));
    }
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

}  // namespace

std::string render_comparison_html(const ComparisonReport& report) {
  const std::string title = fmt::format("benchrun compare: {}", escape_html(report.suite));
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
      title, page_style, title);
  out += fmt::format("<p>Baseline <code>{}</code> (run {}) against <code>{}</code> (run {}): {}.</p>\n",
                     escape_html(report.baseline.file), escape_html(report.baseline.run_id),
                     escape_html(report.current.file), escape_html(report.current.run_id),
                     escape_html(counts_line(report)));
  out += table_html(report);
  if (!report.comparison.warnings.empty()) {
    out += "<ul class=\"warnings\">\n";
    for (const std::string& warning : report.comparison.warnings)
      out += fmt::format("<li>warning: {}</li>\n", escape_html(warning));
    out += "</ul>\n";
  }
  return out + "</body>\n</html>\n";
}

}  // namespace benchrun::stats
