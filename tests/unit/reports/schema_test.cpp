// report.json against reports/schema/report.schema.json, checked by an independent validator (Python's
// jsonschema, Debian python3-jsonschema) so the schema and the C++ writer cannot drift apart unnoticed.
#include <gtest/gtest.h>

#include <fstream>

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

  nlohmann::json example_json() { return nlohmann::json::parse(report_to_json_text(example_report())); }

  std::string python_;
  TempDir dir_;
};

TEST_F(ReportSchema, AcceptsAReportWrittenByTheCode) {
  const auto path = dir_.path() / "written.json";
  write_report_atomically(example_report(), path);
  const auto result =
      run_command({python_, "-W", "ignore::DeprecationWarning", "-m", "jsonschema", "-i", path.string(), schema_path});
  EXPECT_EQ(result.exit_code, 0) << result.out;
}

TEST_F(ReportSchema, AcceptsACompleteReportWithoutSamples) {
  Report report = example_report();
  report.complete = true;
  report.samples.clear();
  report.summaries.clear();
  report.options.limits = {};
  report.options.libvirt_uri = "qemu:///system";
  const auto result = validate(nlohmann::json::parse(report_to_json_text(report)));
  EXPECT_EQ(result.exit_code, 0) << result.out;
}

TEST_F(ReportSchema, AcceptsAReportWrittenBeforeStartModes) {
  auto document = example_json();
  document.erase("phase_summaries");
  document["options"].erase("start_modes");
  document["options"].erase("cold_settle_ms");
  for (auto& sample : document["samples"]) sample.erase("start_mode");
  for (auto& summary : document["summaries"]) summary.erase("start_mode");
  const auto result = validate(document);
  EXPECT_EQ(result.exit_code, 0) << result.out;
}

TEST_F(ReportSchema, RejectsAnUnknownStartMode) {
  auto document = example_json();
  document["samples"][1]["start_mode"] = "lukewarm";
  EXPECT_NE(validate(document).exit_code, 0);
  document = example_json();
  document["options"]["start_modes"] = {"cold", "both"};
  EXPECT_NE(validate(document).exit_code, 0);
}

TEST_F(ReportSchema, RejectsAMissingTopLevelField) {
  auto json = example_json();
  json.erase("complete");
  const auto result = validate(json);
  EXPECT_NE(result.exit_code, 0) << "a report without 'complete' passed the schema";
  EXPECT_NE(result.out.find("complete"), std::string::npos) << result.out;
}

TEST_F(ReportSchema, RejectsAMissingNestedField) {
  auto json = example_json();
  json["samples"][1].erase("metrics");
  EXPECT_NE(validate(json).exit_code, 0) << "a sample without 'metrics' passed the schema";
}

TEST_F(ReportSchema, RejectsAWrongType) {
  auto json = example_json();
  json["options"]["runs"] = "10";
  EXPECT_NE(validate(json).exit_code, 0) << "runs as a string passed the schema";
}

TEST_F(ReportSchema, RejectsAnUnknownField) {
  auto json = example_json();
  json["environment"]["kernal"] = "typo";
  EXPECT_NE(validate(json).exit_code, 0) << "an unknown environment key passed the schema";
}

TEST_F(ReportSchema, RejectsAValueOutsideAnEnum) {
  auto json = example_json();
  json["environment"]["cgroup_version"] = "v3";
  EXPECT_NE(validate(json).exit_code, 0) << "cgroup_version v3 passed the schema";
}

TEST_F(ReportSchema, RejectsAFailedSampleWithoutItsFailure) {
  auto json = example_json();
  json["samples"][3]["failure"] = nullptr;  // ok is false
  EXPECT_NE(validate(json).exit_code, 0) << "a failed sample without a failure passed the schema";
}

TEST_F(ReportSchema, RejectsAnOkSampleWithAFailure) {
  auto json = example_json();
  json["samples"][1]["failure"] = {{"kind", "crash"}, {"message", "but ok"}};
  EXPECT_NE(validate(json).exit_code, 0) << "an ok sample with a failure passed the schema";
}

TEST_F(ReportSchema, RejectsAnotherSchemaVersionAndABadTimestamp) {
  auto json = example_json();
  json["schema_version"] = "benchrun.report/2";
  EXPECT_NE(validate(json).exit_code, 0) << "schema_version 2 passed the schema";
  json = example_json();
  json["started_at"] = "yesterday";
  EXPECT_NE(validate(json).exit_code, 0) << "a free-form timestamp passed the schema";
}

}  // namespace
}  // namespace benchrun::reports
