#include "reports/report_v1.hpp"

#include <fmt/format.h>
#include <map>
#include <string>

#include "reports/metric_table.hpp"
#include "sys/error.hpp"

namespace benchrun::reports {
namespace {

using nlohmann::json;

void default_key(json& object, const char* key, json fallback) {
  if (!object.contains(key)) object[key] = std::move(fallback);
}

// v1 rows (samples, summaries, phase summaries) gain the one case and, where absent, a null start mode.
void place_in_case(json& rows, const json& case_name) {
  for (json& row : rows) {
    row["case_name"] = case_name;
    default_key(row, "start_mode", nullptr);
  }
}

}  // namespace

json upgrade_v1_document(const json& v1) {
  return sys::with_context("benchrun.report/1", [&] {
    try {
      json document = v1;
      json& options = document.at("options");
      const json case_name = options.at("workload");
      options["cases"] = json::array({json{{"name", case_name},
                                           {"workload", case_name},
                                           {"workload_args", options.at("workload_args")},
                                           {"limits", options.at("limits")}}});
      for (const char* moved : {"workload", "workload_args", "limits"}) options.erase(moved);
      default_key(options, "start_modes", json::array());
      default_key(options, "cold_settle_ms", nullptr);
      default_key(document.at("environment"), "virtualization_reason", "");
      default_key(document, "phase_summaries", json::array());
      for (const char* rows : {"samples", "summaries", "phase_summaries"}) place_in_case(document.at(rows), case_name);
      for (json& sample : document.at("samples")) {
        if (sample.at("workload_result").is_object()) sample["workload_result"]["metrics"] = json::array();
      }
      document["metrics"] = json::array();
      document["verdicts"] = json::array();
      document["series"] = json::array();
      return document;
    } catch (const json::exception& error) {
      throw sys::Error(error.what());
    }
  });
}

std::vector<MetricDef> v1_metric_table(const Report& report) {
  std::map<std::string, std::string> unit_of;  // every metric the report carries -> its v1 unit, if it said one
  for (const Sample& sample : report.samples) {
    for (const auto& [name, value] : sample.metrics) unit_of.emplace(name, "");
  }
  for (const MetricSummary& summary : report.summaries) unit_of[summary.metric] = summary.unit;

  std::vector<MetricDef> table;
  for (const MetricDef& known : known_metrics()) {
    if (unit_of.erase(known.name) > 0) table.push_back(known);
  }
  for (const auto& [name, unit] : unit_of) {
    table.push_back({name, unit, Better::lower, "a benchrun.report/1 metric this benchrun does not know"});
  }
  return table;
}

}  // namespace benchrun::reports
