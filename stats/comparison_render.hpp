// The forms a comparison is shown in: the terminal table, the JSON document ("benchrun.comparison/1", described by
// reports/schema/comparison.schema.json), a Markdown table for a CI comment and a self-contained HTML page. Pure
// functions from a ComparisonReport to text; the caller writes them. Beside stats/compare rather than in reports/
// because they render stats::Comparison, and reports/ must not depend on stats/ (benchrun_compare links
// benchrun_reports).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "reports/model.hpp"
#include "stats/compare.hpp"

namespace benchrun::stats {

inline constexpr const char* comparison_schema_version = "benchrun.comparison/1";

// One of the two reports compared, as the outputs name it.
struct ComparedReport {
  std::string file;  // as given on the command line
  std::string run_id;
  std::string started_at;
};

// Everything a rendering shows: what was compared, how, and the rows.
struct ComparisonReport {
  std::string suite;
  ComparedReport baseline;
  ComparedReport current;
  CompareOptions options;
  Comparison comparison;
};

// Compares `baseline` with `current` (compare_reports: throws Error on reports that cannot be compared).
ComparisonReport make_comparison_report(const reports::Report& baseline, const std::string& baseline_file,
                                        const reports::Report& current, const std::string& current_file,
                                        const CompareOptions& options);

struct ChangeCounts {
  std::size_t regressed = 0;
  std::size_t improved = 0;
  std::size_t unchanged = 0;
};
ChangeCounts count_changes(const Comparison& comparison);

// A row whose test rests on fewer than weak_test_samples samples on a side.
bool is_weak_test(const ComparisonRow& row);

// The table's first columns hold text (backend, case, start, metric), the others figures.
inline constexpr std::size_t comparison_text_columns = 4;

// The table's cells, unaligned: the header row, then one row per comparison row in the order given. Shared by the
// terminal, Markdown and HTML forms.
std::vector<std::vector<std::string>> comparison_table_cells(const ComparisonReport& report,
                                                             const std::vector<const ComparisonRow*>& rows);
// The rows, regressions first, then improvements, then the rest, each group in the comparison's order.
std::vector<const ComparisonRow*> rows_by_change(const Comparison& comparison);
// "1 regressed, 0 improved, 3 unchanged (threshold 5%, alpha 0.05)"
std::string counts_line(const ComparisonReport& report);

// Aligned columns, the warnings, and a last line with the counts, threshold and alpha.
std::string render_comparison_table(const ComparisonReport& report);
// Pretty-printed JSON ending in a newline. Throws Error when a figure is not finite (JSON has no NaN).
std::string comparison_to_json_text(const ComparisonReport& report);
// GitHub-flavoured Markdown: a verdict line, then the rows, regressions first and in bold, then the warnings.
std::string render_comparison_markdown(const ComparisonReport& report);
// One self-contained HTML page (reports/html: no script, nothing fetched): the verdict, the rows grouped by change
// with regressed and improved ones highlighted, per metric the ratios with their intervals and the threshold band,
// the warnings, and what was compared how.
std::string render_comparison_html(const ComparisonReport& report);

}  // namespace benchrun::stats
