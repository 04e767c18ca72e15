#include "reports/json.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "sys/error.hpp"
#include "test_support.hpp"

namespace benchrun::reports {
namespace {

using testing::example_report;

TEST(ReportJson, RoundTripKeepsEveryField) {
  const Report original = example_report();
  const std::string text = report_to_json_text(original);
  const Report read_back = parse_report(text);
  // Serializing the copy gives the same bytes: nothing was lost or changed on the way.
  EXPECT_EQ(report_to_json_text(read_back), text);
  EXPECT_EQ(read_back.run_id, original.run_id);
  EXPECT_FALSE(read_back.complete);
  ASSERT_EQ(read_back.samples.size(), original.samples.size());
  EXPECT_EQ(read_back.samples[3].failure->kind, FailureKind::oom);
  EXPECT_FALSE(read_back.samples[3].workload_result->exit_code.has_value());
  EXPECT_EQ(read_back.samples[3].workload_result->signal, 9);
  EXPECT_FALSE(read_back.samples[4].workload_result.has_value());
  EXPECT_EQ(std::get<double>(read_back.backends[1].details.at("layers")), 1.0);
  EXPECT_EQ(std::get<std::string>(read_back.backends[1].details.at("cgroup")), "v1");
  EXPECT_EQ(read_back.options.limits.memory_bytes, 64ULL << 20);
  EXPECT_FALSE(read_back.options.limits.pids_max.has_value());
  EXPECT_FALSE(read_back.environment.tools.runc.has_value());
  EXPECT_EQ(read_back.summaries[1].ratio_to_native, 3.0);
  EXPECT_FALSE(read_back.summaries[0].ratio_to_native.has_value());
}

TEST(ReportJson, StartModesAndPhaseSummariesRoundTrip) {
  const Report read_back = parse_report(report_to_json_text(example_report()));
  EXPECT_EQ(read_back.options.start_modes, (std::vector<StartMode>{StartMode::cold, StartMode::warm}));
  EXPECT_EQ(read_back.options.cold_settle_ms, 100);
  EXPECT_EQ(read_back.samples[1].start_mode, StartMode::cold);
  EXPECT_EQ(read_back.samples[3].start_mode, StartMode::warm);
  EXPECT_FALSE(read_back.samples[0].start_mode.has_value());
  EXPECT_EQ(read_back.summaries[1].start_mode, StartMode::cold);
  ASSERT_EQ(read_back.phase_summaries.size(), 2U);
  EXPECT_EQ(read_back.phase_summaries[0].metric, "clone");
  EXPECT_EQ(read_back.phase_summaries[0].start_mode, StartMode::cold);
}

TEST(ReportJson, AReportWrittenBeforeStartModesStillReads) {
  auto json = nlohmann::json::parse(report_to_json_text(example_report()));
  json.erase("phase_summaries");
  json["options"].erase("start_modes");
  json["options"].erase("cold_settle_ms");
  for (auto& sample : json["samples"]) sample.erase("start_mode");
  for (auto& summary : json["summaries"]) summary.erase("start_mode");
  const Report read_back = parse_report(json.dump());
  EXPECT_TRUE(read_back.options.start_modes.empty());
  EXPECT_FALSE(read_back.options.cold_settle_ms.has_value());
  EXPECT_FALSE(read_back.samples[1].start_mode.has_value());
  EXPECT_FALSE(read_back.summaries[1].start_mode.has_value());
  EXPECT_TRUE(read_back.phase_summaries.empty());
}

TEST(ReportJson, UnknownStartModeIsAnErrorNamingIt) {
  auto json = nlohmann::json::parse(report_to_json_text(example_report()));
  json["samples"][1]["start_mode"] = "lukewarm";
  try {
    parse_report(json.dump());
    FAIL() << "an unknown start mode was accepted";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("lukewarm"), std::string::npos) << error.what();
  }
}

TEST(ReportJson, AbsentValuesAreWrittenAsNullNotLeftOut) {
  const auto json = nlohmann::json::parse(report_to_json_text(example_report()));
  EXPECT_TRUE(json.at("samples").at(1).at("failure").is_null());
  EXPECT_TRUE(json.at("samples").at(4).at("workload_result").is_null());
  EXPECT_TRUE(json.at("environment").at("tools").at("runc").is_null());
  EXPECT_TRUE(json.at("options").at("limits").at("pids_max").is_null());
  EXPECT_TRUE(json.at("summaries").at(0).at("ratio_to_native").is_null());
  EXPECT_TRUE(json.at("samples").at(0).at("start_mode").is_null());
}

TEST(ReportJson, MissingKeyIsAnError) {
  auto json = nlohmann::json::parse(report_to_json_text(example_report()));
  json.erase("complete");
  try {
    parse_report(json.dump());
    FAIL() << "a report without 'complete' was accepted";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("complete"), std::string::npos) << error.what();
  }
}

TEST(ReportJson, WrongTypeIsAnError) {
  auto json = nlohmann::json::parse(report_to_json_text(example_report()));
  json["options"]["runs"] = "ten";
  EXPECT_THROW(parse_report(json.dump()), sys::Error);
}

TEST(ReportJson, OtherSchemaVersionIsRefused) {
  auto json = nlohmann::json::parse(report_to_json_text(example_report()));
  json["schema_version"] = "benchrun.report/2";
  try {
    parse_report(json.dump());
    FAIL() << "a report of another schema version was accepted";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("benchrun.report/2"), std::string::npos) << error.what();
  }
}

TEST(ReportJson, NotJsonIsAnError) { EXPECT_THROW(parse_report("{\"schema_version\": "), sys::Error); }

TEST(ReportJson, NonFiniteMetricCannotBeWritten) {
  Report report = example_report();
  report.samples[1].metrics["time_to_ready_ms"] = std::numeric_limits<double>::infinity();
  try {
    (void)report_to_json_text(report);
    FAIL() << "an infinite metric was serialized";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("metric 'time_to_ready_ms' is not a finite number"), std::string::npos)
        << error.what();
  }
}

TEST(SampleJson, IsOneLineAndRoundTrips) {
  const Sample sample = example_report().samples[3];
  const std::string line = sample_to_json_line(sample);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const Sample read_back = parse_sample(line);
  EXPECT_EQ(sample_to_json_line(read_back), line);
  EXPECT_EQ(read_back.failure->message, "OOM-killed: the workload hit its memory limit");
}

}  // namespace
}  // namespace benchrun::reports
