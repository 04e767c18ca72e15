// report.json against reports/schema/report.schema.json, checked by an independent validator (Python's
// jsonschema, Debian python3-jsonschema) so the schema and the C++ writer cannot drift apart unnoticed.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "reports/json.hpp"
#include "reports/report_file.hpp"
#include "test_support.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::reports {
namespace {

using benchrun::testing::run_command;
using benchrun::testing::TempDir;
using testing::example_report;
using testing::example_report_with_checks;

const char* const schema_path = BENCHRUN_REPORT_SCHEMA;

// The first python3 that can import jsonschema: Debian's (what scripts/setup.sh installs), then the one
// on PATH. Empty when none can.
std::string python_with_jsonschema() {
  for (const std::string python : {"/usr/bin/python3", "python3"}) {
    if (run_command({python, "-c", "import jsonschema"}).exit_code == 0) return python;
  }
  return {};
}

class ReportSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    static const std::string found = python_with_jsonschema();  // probing costs a Python start: do it once
    python_ = found;
    ASSERT_FALSE(python_.empty()) << "no python3 with the jsonschema module: install it with "
                                     "`apt-get install python3 python3-jsonschema` (scripts/setup.sh does)";
  }

  // Exit code 0 when `document` validates; the validator's output otherwise.
  benchrun::testing::CommandResult validate(const nlohmann::json& document) {
    const auto path = dir_.path() / "report.json";
    {
      std::ofstream file(path);
      file << document.dump(2);
    }
    return run_command(
        {python_, "-W", "ignore::DeprecationWarning", "-m", "jsonschema", "-i", path.string(), schema_path});
  }

  nlohmann::json example_json() { return nlohmann::json::parse(report_to_json_text(example_report_with_checks())); }

  std::string python_;
  TempDir dir_;
};

TEST_F(ReportSchema, AcceptsAReportWithVerdictsSeriesAndWorkloadMetricsWrittenByTheCode) {
  const auto path = dir_.path() / "written.json";
  write_report_atomically(example_report_with_checks(), path);
  const auto result =
      run_command({python_, "-W", "ignore::DeprecationWarning", "-m", "jsonschema", "-i", path.string(), schema_path});
  EXPECT_EQ(result.exit_code, 0) << result.out;
}

TEST_F(ReportSchema, AcceptsACompleteReportWithoutSamples) {
  Report report = example_report();
  report.complete = true;
  report.samples.clear();
  report.summaries.clear();
  report.metrics.clear();
  report.options.cases[0].limits = {};
  report.options.libvirt_uri = "qemu:///system";
  const auto result = validate(nlohmann::json::parse(report_to_json_text(report)));
  EXPECT_EQ(result.exit_code, 0) << result.out;
}

// One way a document can be wrong, which the schema must refuse.
struct Defect {
  const char* what;
  std::function<void(nlohmann::json&)> apply;
};

TEST_F(ReportSchema, RejectsEachDefect) {
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
  };
  for (const Defect& defect : defects) {
    auto json = example_json();
    defect.apply(json);
    EXPECT_NE(validate(json).exit_code, 0) << defect.what << " passed the schema";
  }
}

TEST_F(ReportSchema, AMissingKeyIsNamed) {
  auto json = example_json();
  json.erase("complete");
  EXPECT_NE(validate(json).out.find("complete"), std::string::npos);
}

}  // namespace
}  // namespace benchrun::reports
