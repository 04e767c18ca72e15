// The comparison as JSON, in the shape reports/schema/comparison.schema.json describes ("benchrun.comparison/1"):
// what was compared, the options, every field of every row, the warnings and the counts, for tools that gate on
// a comparison without parsing the table.
#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "stats/comparison_render.hpp"
#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

using nlohmann::json;

// JSON has no NaN or infinity (nlohmann would write null): a non-finite figure is a bug upstream, named here.
double finite(double value, const ComparisonRow& row, const char* field) {
  if (!std::isfinite(value)) {
    throw sys::Error(fmt::format("comparison row {} {} {}: {} is not finite ({})", row.backend, row.case_name,
                                 row.metric, field, value));
  }
  return value;
}

json compared_report_json(const ComparedReport& report) {
  return {{"file", report.file}, {"run_id", report.run_id}, {"started_at", report.started_at}};
}

json row_json(const ComparisonRow& row) {
  return {
      {"backend", row.backend},
      {"case_name", row.case_name},
      {"start_mode", row.start_mode ? json(reports::to_string(*row.start_mode)) : json(nullptr)},
      {"metric", row.metric},
      {"unit", row.unit},
      {"better", reports::to_string(row.better)},
      {"baseline_count", row.baseline_count},
      {"current_count", row.current_count},
      {"baseline_median", finite(row.baseline_median, row, "baseline_median")},
      {"current_median", finite(row.current_median, row, "current_median")},
      {"ratio", finite(row.ratio, row, "ratio")},
      {"ratio_ci",
       {{"low", finite(row.ratio_interval.low, row, "ratio_ci.low")},
        {"high", finite(row.ratio_interval.high, row, "ratio_ci.high")}}},
      {"p_value", finite(row.p_value, row, "p_value")},
      {"weak_test", is_weak_test(row)},
      {"change", to_string(row.change)},
  };
}

}  // namespace

std::string comparison_to_json_text(const ComparisonReport& report) {
  json rows = json::array();
  for (const ComparisonRow& row : report.comparison.rows) rows.push_back(row_json(row));
  const ChangeCounts counts = count_changes(report.comparison);
  const json document{
      {"schema_version", comparison_schema_version},
      {"suite", report.suite},
      {"baseline", compared_report_json(report.baseline)},
      {"current", compared_report_json(report.current)},
      {"options",
       {{"threshold", report.options.threshold},
        {"alpha", report.options.alpha},
        {"confidence", report.options.bootstrap.confidence},
        {"resamples", report.options.bootstrap.resamples},
        {"weak_test_samples", weak_test_samples}}},
      {"rows", std::move(rows)},
      {"warnings", report.comparison.warnings},
      {"counts", {{"regressed", counts.regressed}, {"improved", counts.improved}, {"unchanged", counts.unchanged}}},
      {"regressed", counts.regressed > 0},
  };
  return document.dump(2) + "\n";
}

}  // namespace benchrun::stats
