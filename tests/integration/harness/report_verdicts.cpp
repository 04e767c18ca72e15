#include "report_verdicts.hpp"

#include <gtest/gtest.h>

#include "benchrun_process.hpp"

namespace benchrun::testing {

using nlohmann::json;

json read_report(const std::filesystem::path& out) {
  EXPECT_EQ(validate_against_schema(out / "report.json"), "");
  return json::parse(read_text(out / "report.json"));
}

std::map<std::string, json> verdicts_of(const json& report, const std::string& backend) {
  std::map<std::string, json> verdicts;
  for (const auto& verdict : report.at("verdicts")) {
    if (verdict.at("backend") == backend) verdicts[verdict.at("check")] = verdict;
  }
  return verdicts;
}

std::map<std::string, json> verdicts_of_only(const json& report, const std::string& backend) {
  for (const auto& verdict : report.at("verdicts")) EXPECT_EQ(verdict.at("backend"), backend) << verdict.dump();
  return verdicts_of(report, backend);
}

}  // namespace benchrun::testing
