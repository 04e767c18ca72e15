// A run's report.json as the integration tests read it: parsed (after the schema check) and its verdicts by check.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace benchrun::testing {

// <out>/report.json, checked against the schema (EXPECT: a failure names the first violation) and parsed.
nlohmann::json read_report(const std::filesystem::path& out);

// check -> verdict, for the verdicts of `backend` (the others left out).
std::map<std::string, nlohmann::json> verdicts_of(const nlohmann::json& report, const std::string& backend);

// check -> verdict of a run where `backend` was the only one: every verdict is EXPECTed to be its own.
std::map<std::string, nlohmann::json> verdicts_of_only(const nlohmann::json& report, const std::string& backend);

}  // namespace benchrun::testing
