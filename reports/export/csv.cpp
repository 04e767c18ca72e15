// One row per sample and metric, warm-ups and failures included (they carry whatever metrics they got), for
// spreadsheets and data frames. RFC 4180: CRLF line ends, a field with a comma, quote or line break quoted,
// quotes doubled.
#include <fmt/format.h>

#include "reports/export/export.hpp"
#include "reports/metric_table.hpp"

namespace benchrun::reports {
namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char character : text) {
    if (character == '"') quoted += '"';
    quoted += character;
  }
  return quoted + "\"";
}

std::string csv_row(const std::vector<std::string>& fields) {
  std::string row;
  for (std::size_t index = 0; index < fields.size(); ++index) {
    if (index > 0) row += ',';  // by index: a first field may be empty
    row += csv_field(fields[index]);
  }
  return row + "\r\n";
}

}  // namespace

RenderedExport render_csv(const Report& report) {
  std::string out =
      csv_row({"run_id", "backend", "case", "start_mode", "repetition", "warmup", "ok", "metric", "value", "unit"});
  for (const Sample& sample : report.samples) {
    for (const auto& [metric, value] : sample.metrics) {
      const MetricDef* row = find_metric(report.metrics, metric);
      out += csv_row({report.run_id, sample.backend, sample.case_name,
                      sample.start_mode ? std::string(to_string(*sample.start_mode)) : "",
                      std::to_string(sample.repetition), sample.warmup ? "true" : "false", sample.ok ? "true" : "false",
                      metric, fmt::format("{}", value), row != nullptr ? row->unit : ""});
    }
  }
  return {out, {}};
}

}  // namespace benchrun::reports
