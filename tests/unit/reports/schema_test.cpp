// report.json against reports/schema/report.schema.json, checked by an independent validator (Python's
// jsonschema, Debian python3-jsonschema) so the schema and the C++ writer cannot drift apart unnoticed.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "reports/json.hpp"
#include "reports/report_file.hpp"
#include "sys/file_io.hpp"
#include "test_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::reports {
namespace {

using benchrun::testing::TempDir;
using testing::example_report;
using testing::example_report_with_checks;
using testing::schema_complaint;

std::string complaint_about(const nlohmann::json& document) { return schema_complaint(document.dump(2)); }

nlohmann::json example_json() { return nlohmann::json::parse(report_to_json_text(example_report_with_checks())); }

// example_report_with_checks as `benchrun merge` shapes it: its backends on host "lab1", whose environment
// the hosts list keeps.
Report merged_example() {
  Report report = example_report_with_checks();
  report.hosts = {{"lab1", report.environment}};
  for (BackendInfo& backend : report.backends) {
    backend.name = "lab1/" + backend.name;
    backend.host = "lab1";
  }
  return report;
}

TEST(ReportSchema, AcceptsAReportWithVerdictsSeriesAndWorkloadMetricsWrittenByTheCode) {
  TempDir dir;
  const auto path = dir.path() / "written.json";
  write_report_atomically(example_report_with_checks(), path);
  EXPECT_EQ(schema_complaint(sys::read_file(path)), "");
}

TEST(ReportSchema, AcceptsAMergedReportWithItsHosts) {
  EXPECT_EQ(schema_complaint(report_to_json_text(merged_example())), "");
}

// hosts and a backend's host joined v2 later (reports/model.hpp, "Growing v2"): older v2 files stay valid.
TEST(ReportSchema, AcceptsAVersionTwoReportWrittenBeforeHosts) {
  auto json = example_json();
  json.erase("hosts");
  for (auto& backend : json["backends"]) backend.erase("host");
  EXPECT_EQ(complaint_about(json), "");
}

TEST(ReportSchema, AcceptsACompleteReportWithoutSamples) {
  Report report = example_report();
  report.complete = true;
  report.samples.clear();
  report.summaries.clear();
  report.metrics.clear();
  report.options.cases[0].limits = {};
  report.options.libvirt_uri = "qemu:///system";
  EXPECT_EQ(schema_complaint(report_to_json_text(report)), "");
}

// One way a document can be wrong, which the schema must refuse.
struct Defect {
  const char* what;
  std::function<void(nlohmann::json&)> apply;
};

TEST(ReportSchema, RejectsEachDefect) {
  const Defect defects[] = {
      {"a missing top-level key", [](auto& json) { json.erase("complete"); }},
      {"a missing nested key", [](auto& json) { json["samples"][1].erase("metrics"); }},
      {"a sample without its case", [](auto& json) { json["samples"][1].erase("case_name"); }},
      {"a wrong type", [](auto& json) { json["options"]["runs"] = "10"; }},
      {"an unknown key", [](auto& json) { json["environment"]["kernal"] = "typo"; }},
      {"the v1 workload key", [](auto& json) { json["options"]["workload"] = "hello"; }},
      {"a value outside an enum", [](auto& json) { json["environment"]["cgroup_version"] = "v3"; }},
      {"an unknown start mode", [](auto& json) { json["samples"][1]["start_mode"] = "lukewarm"; }},
      {"a start mode 'both'",
       [](auto& json) {
         json["options"]["start_modes"] = {"cold", "both"};
       }},
      {"a failed sample without its failure", [](auto& json) { json["samples"][3]["failure"] = nullptr; }},
      {"an ok sample with a failure",
       [](auto& json) {
         json["samples"][1]["failure"] = {{"kind", "crash"}, {"message", "but ok"}};
       }},
      {"schema version 1", [](auto& json) { json["schema_version"] = "benchrun.report/1"; }},
      {"a free-form timestamp", [](auto& json) { json["started_at"] = "yesterday"; }},
      {"a direction other than lower or higher", [](auto& json) { json["metrics"][0]["better"] = "up"; }},
      {"a workload metric name with a space",
       [](auto& json) { json["samples"][1]["workload_result"]["metrics"][0]["name"] = "spin rate"; }},
      {"a verdict without pass", [](auto& json) { json["verdicts"][0].erase("pass"); }},
      {"a series point without y", [](auto& json) { json["series"][0]["points"][0].erase("y"); }},
      {"a host named with '/'", [](auto& json) { json["hosts"][0]["host"] = "lab/1"; }},
      {"a host without its environment", [](auto& json) { json["hosts"][0].erase("environment"); }},
      {"a backend's host that is a number", [](auto& json) { json["backends"][0]["host"] = 1; }},
  };
  const auto merged = nlohmann::json::parse(report_to_json_text(merged_example()));
  for (const Defect& defect : defects) {
    auto json = merged;
    defect.apply(json);
    EXPECT_NE(complaint_about(json), "") << defect.what << " passed the schema";
  }
}

TEST(ReportSchema, AMissingKeyIsNamed) {
  auto json = example_json();
  json.erase("complete");
  EXPECT_NE(complaint_about(json).find("complete"), std::string::npos);
}

}  // namespace
}  // namespace benchrun::reports
