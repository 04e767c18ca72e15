// The Report model <-> JSON (nlohmann), in the shape schema/report.schema.json describes. Reading checks
// required keys and types (errors name the key path); it does not reject unknown keys: the schema does.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "reports/model.hpp"

namespace benchrun::reports {

void to_json(nlohmann::json& json, const Failure& failure);
void from_json(const nlohmann::json& json, Failure& failure);
void to_json(nlohmann::json& json, const WorkloadResult& result);
void from_json(const nlohmann::json& json, WorkloadResult& result);
// Throws Error when a metric or phase is not finite (JSON has no NaN; the schema wants numbers).
void to_json(nlohmann::json& json, const Sample& sample);
void from_json(const nlohmann::json& json, Sample& sample);
void to_json(nlohmann::json& json, const Limits& limits);
void from_json(const nlohmann::json& json, Limits& limits);
void to_json(nlohmann::json& json, const RunOptions& options);
void from_json(const nlohmann::json& json, RunOptions& options);
void to_json(nlohmann::json& json, const ToolVersions& tools);
void from_json(const nlohmann::json& json, ToolVersions& tools);
void to_json(nlohmann::json& json, const Environment& environment);
void from_json(const nlohmann::json& json, Environment& environment);
void to_json(nlohmann::json& json, const BackendInfo& backend);
void from_json(const nlohmann::json& json, BackendInfo& backend);
void to_json(nlohmann::json& json, const SummaryStats& summary);
void from_json(const nlohmann::json& json, SummaryStats& summary);
void to_json(nlohmann::json& json, const MetricSummary& summary);
void from_json(const nlohmann::json& json, MetricSummary& summary);
void to_json(nlohmann::json& json, const Report& report);
// Throws Error when schema_version is not "benchrun.report/1".
void from_json(const nlohmann::json& json, Report& report);

// Pretty-printed (2-space) JSON text of a report, ending in a newline.
std::string report_to_json_text(const Report& report);
// Throws Error with the reason (parse error or missing/mistyped key).
Report parse_report(std::string_view text);
// One compact line of JSON (no newline): the samples.jsonl form. Throws Error like to_json(Sample).
std::string sample_to_json_line(const Sample& sample);
// Throws Error with the reason.
Sample parse_sample(std::string_view text);

}  // namespace benchrun::reports
