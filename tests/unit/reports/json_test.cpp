#include "reports/json.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "reports/metric_table.hpp"
#include "sys/error.hpp"
#include "test_support.hpp"

namespace benchrun::reports {
namespace {

using testing::example_report;
using testing::example_report_with_checks;
using testing::fixture_text;

// The message of the Error that parsing `text` throws ("" when it parses).
std::string parse_error(const std::string& text) {
  try {
    (void)parse_report(text);
  } catch (const sys::Error& error) {
    return error.what();
  }
  return "";
}

nlohmann::json example_json() { return nlohmann::json::parse(report_to_json_text(example_report_with_checks())); }

TEST(ReportJson, RoundTripKeepsEveryField) {
  const Report original = example_report_with_checks();
  const std::string text = report_to_json_text(original);
  const Report read_back = parse_report(text);
  // Serializing the copy gives the same bytes: nothing was lost or changed on the way.
  EXPECT_EQ(report_to_json_text(read_back), text);
  EXPECT_EQ(read_back.schema_version, "benchrun.report/2");
  EXPECT_EQ(read_back.run_id, original.run_id);
  EXPECT_FALSE(read_back.complete);
  ASSERT_EQ(read_back.samples.size(), original.samples.size());
  EXPECT_EQ(read_back.samples[3].failure->kind, FailureKind::oom);
  EXPECT_FALSE(read_back.samples[3].workload_result->exit_code.has_value());
  EXPECT_EQ(read_back.samples[3].workload_result->signal, 9);
  EXPECT_FALSE(read_back.samples[4].workload_result.has_value());
  EXPECT_EQ(read_back.samples[1].workload_result->metrics, original.samples[1].workload_result->metrics);
  EXPECT_EQ(std::get<double>(read_back.backends[1].details.at("layers")), 1.0);
  EXPECT_EQ(std::get<std::string>(read_back.backends[1].details.at("cgroup")), "v1");
  EXPECT_EQ(read_back.options.cases, original.options.cases);
  EXPECT_FALSE(read_back.environment.tools.runc.has_value());
  EXPECT_EQ(read_back.summaries[1].ratio_to_native, 3.0);
  EXPECT_FALSE(read_back.summaries[0].ratio_to_native.has_value());
  EXPECT_EQ(read_back.options.start_modes, (std::vector<StartMode>{StartMode::cold, StartMode::warm}));
  EXPECT_FALSE(read_back.samples[0].start_mode.has_value());
}

TEST(ReportJson, MetricTableVerdictsAndSeriesRoundTrip) {
  const Report read_back = parse_report(report_to_json_text(example_report_with_checks()));
  const MetricDef* rate = find_metric(read_back.metrics, "spin_rate");
  ASSERT_NE(rate, nullptr);
  EXPECT_EQ(rate->unit, "iterations/s");
  EXPECT_EQ(rate->better, Better::higher);
  ASSERT_EQ(read_back.verdicts.size(), 2U);
  EXPECT_EQ(std::get<double>(*read_back.verdicts[0].configured), 67108864.0);
  EXPECT_EQ(read_back.verdicts[0].tolerance, 0.05);
  EXPECT_TRUE(read_back.verdicts[0].pass);
  EXPECT_FALSE(read_back.verdicts[1].configured.has_value());
  EXPECT_EQ(std::get<std::string>(*read_back.verdicts[1].measured), "1 pid visible");
  EXPECT_FALSE(read_back.verdicts[1].tolerance.has_value());
  ASSERT_EQ(read_back.series.size(), 1U);
  EXPECT_EQ(read_back.series[0].points, (std::vector<SeriesPoint>{{1.0, 2.5}, {2.0, 2.25}}));
  EXPECT_EQ(read_back.series[0].y_unit, "MiB");
}

TEST(ReportJson, HostsOfAMergedReportRoundTrip) {
  Report merged = example_report();
  Environment second = merged.environment;
  second.hostname = "lab2-build";
  merged.hosts = {{"lab1", merged.environment}, {"lab2", second}};
  merged.backends[1].name = "lab2/container";
  merged.backends[1].host = "lab2";
  const std::string text = report_to_json_text(merged);
  const Report read_back = parse_report(text);
  EXPECT_EQ(report_to_json_text(read_back), text);
  ASSERT_EQ(read_back.hosts.size(), 2U);
  EXPECT_EQ(read_back.hosts[1].host, "lab2");
  EXPECT_EQ(read_back.hosts[1].environment.hostname, "lab2-build");
  EXPECT_EQ(read_back.backends[1].host, "lab2");
  EXPECT_FALSE(read_back.backends[0].host.has_value());
}

// hosts and a backend's host joined v2 later (model.hpp, "Growing v2"): a v2 file without them is one host's.
TEST(ReportJson, AVersionTwoReportWrittenBeforeHostsReadsAsASingleHostReport) {
  auto json = example_json();
  json.erase("hosts");
  for (auto& backend : json["backends"]) backend.erase("host");
  const Report read_back = parse_report(json.dump());
  EXPECT_TRUE(read_back.hosts.empty());
  ASSERT_EQ(read_back.backends.size(), 2U);
  EXPECT_FALSE(read_back.backends[0].host.has_value());
  EXPECT_EQ(report_to_json_text(read_back), report_to_json_text(example_report_with_checks()));
}

// A case's cpu_weight joined v2 later: a v2 file without it set no weight.
TEST(ReportJson, AVersionTwoReportWrittenBeforeCpuWeightReadsAsNoWeight) {
  Report weighted = example_report_with_checks();
  ASSERT_FALSE(weighted.options.cases.empty());
  weighted.options.cases[0].limits.cpu_weight = 300;
  const Report round_trip = parse_report(report_to_json_text(weighted));
  EXPECT_EQ(round_trip.options.cases[0].limits.cpu_weight, 300U);
  auto json = example_json();
  for (auto& one_case : json["options"]["cases"]) one_case["limits"].erase("cpu_weight");
  const Report read_back = parse_report(json.dump());
  for (const auto& one_case : read_back.options.cases) EXPECT_FALSE(one_case.limits.cpu_weight.has_value());
  EXPECT_EQ(report_to_json_text(read_back), report_to_json_text(example_report_with_checks()));
}

TEST(ReportJson, AVersionOneReportReadsAsOneCaseWithTheKnownMetricTable) {
  // fixtures/report_v1.json is what the v1 writer made of example_report(): read now, it is the same report.
  const Report read_back = parse_report(fixture_text("report_v1.json"));
  EXPECT_EQ(read_back.schema_version, "benchrun.report/1");
  EXPECT_EQ(report_to_json_text(read_back), report_to_json_text(example_report()));
  ASSERT_EQ(read_back.options.cases.size(), 1U);
  EXPECT_EQ(read_back.options.cases[0].name, "spin");
  EXPECT_EQ(read_back.options.cases[0].workload_args, std::vector<std::string>{"10"});
  EXPECT_EQ(read_back.options.cases[0].limits.memory_bytes, 64ULL << 20);
  for (const Sample& sample : read_back.samples) EXPECT_EQ(sample.case_name, "spin");
  for (const MetricSummary& summary : read_back.summaries) EXPECT_EQ(summary.case_name, "spin");
  ASSERT_EQ(read_back.metrics.size(), 3U);
  EXPECT_EQ(read_back.metrics[0], *find_metric(known_metrics(), "time_to_ready_ms"));
  EXPECT_TRUE(read_back.verdicts.empty());
  EXPECT_TRUE(read_back.series.empty());
}

TEST(ReportJson, AVersionOneReportWrittenBeforeStartModesStillReads) {
  auto json = nlohmann::json::parse(fixture_text("report_v1.json"));
  json.erase("phase_summaries");
  json["options"].erase("start_modes");
  json["options"].erase("cold_settle_ms");
  json["environment"].erase("virtualization_reason");
  for (auto& sample : json["samples"]) sample.erase("start_mode");
  for (auto& summary : json["summaries"]) summary.erase("start_mode");
  const Report read_back = parse_report(json.dump());
  EXPECT_TRUE(read_back.options.start_modes.empty());
  EXPECT_FALSE(read_back.options.cold_settle_ms.has_value());
  EXPECT_FALSE(read_back.samples[1].start_mode.has_value());
  EXPECT_FALSE(read_back.summaries[1].start_mode.has_value());
  EXPECT_TRUE(read_back.phase_summaries.empty());
  EXPECT_EQ(read_back.environment.virtualization_reason, "");
}

TEST(ReportJson, AVersionOneMetricBenchrunNoLongerKnowsKeepsItsUnit) {
  auto json = nlohmann::json::parse(fixture_text("report_v1.json"));
  json["samples"][1]["metrics"]["launches_per_s"] = 12.0;
  json["summaries"][0]["metric"] = "launches_per_s";
  json["summaries"][0]["unit"] = "1/s";
  const Report read_back = parse_report(json.dump());
  const MetricDef* unknown = find_metric(read_back.metrics, "launches_per_s");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->unit, "1/s");
}

TEST(ReportJson, UnknownStartModeIsAnErrorNamingItAndItsKey) {
  auto json = example_json();
  json["samples"][1]["start_mode"] = "lukewarm";
  const std::string error = parse_error(json.dump());
  EXPECT_NE(error.find("samples: [1]: start_mode: unknown start mode 'lukewarm'"), std::string::npos) << error;
}

TEST(ReportJson, AbsentValuesAreWrittenAsNullNotLeftOut) {
  const auto json = example_json();
  EXPECT_TRUE(json.at("samples").at(1).at("failure").is_null());
  EXPECT_TRUE(json.at("samples").at(4).at("workload_result").is_null());
  EXPECT_TRUE(json.at("environment").at("tools").at("runc").is_null());
  EXPECT_TRUE(json.at("options").at("cases").at(0).at("limits").at("pids_max").is_null());
  EXPECT_TRUE(json.at("summaries").at(0).at("ratio_to_native").is_null());
  EXPECT_TRUE(json.at("samples").at(0).at("start_mode").is_null());
  EXPECT_TRUE(json.at("verdicts").at(1).at("configured").is_null());
}

TEST(ReportJson, MissingKeyIsAnErrorNamingItsPath) {
  auto json = example_json();
  json.erase("complete");
  EXPECT_NE(parse_error(json.dump()).find("missing key 'complete'"), std::string::npos);
  json = example_json();
  json["samples"][3]["failure"].erase("kind");
  const std::string error = parse_error(json.dump());
  EXPECT_NE(error.find("samples: [3]: failure: missing key 'kind'"), std::string::npos) << error;
}

TEST(ReportJson, WrongTypeIsAnErrorNamingTheKey) {
  auto json = example_json();
  json["options"]["runs"] = "ten";
  EXPECT_NE(parse_error(json.dump()).find("options: runs: "), std::string::npos);
}

TEST(ReportJson, AWholeNumberOutOfRangeOrWithAFractionIsAnError) {
  for (const nlohmann::json& bad : {nlohmann::json(1e300), nlohmann::json(2.5), nlohmann::json(1LL << 40)}) {
    auto json = example_json();
    json["samples"][1]["repetition"] = bad;
    EXPECT_NE(parse_error(json.dump()).find("repetition: expected a whole number in range"), std::string::npos)
        << bad.dump();
  }
  auto json = example_json();
  json["samples"][1]["workload_result"]["exit_code"] = -1e300;
  EXPECT_NE(parse_error(json.dump()).find("exit_code: expected a whole number"), std::string::npos);
  json = example_json();
  json["summaries"][1]["summary"]["outlier_repetitions"] = {0, 1e300};
  EXPECT_NE(parse_error(json.dump()).find("outlier_repetitions: [1]: expected a whole number"), std::string::npos);
}

TEST(ReportJson, AnUnknownSchemaVersionIsRefusedNamingItAndTheFix) {
  auto json = example_json();
  json["schema_version"] = "benchrun.report/3";
  const std::string error = parse_error(json.dump());
  EXPECT_NE(error.find("'benchrun.report/3'"), std::string::npos) << error;
  EXPECT_NE(error.find("newer one"), std::string::npos) << error;
}

TEST(ReportJson, NotJsonOrNotAReportIsAnError) {
  EXPECT_NE(parse_error("{\"schema_version\": "), "");
  EXPECT_NE(parse_error("[1, 2]").find("not a benchrun report"), std::string::npos);
  EXPECT_NE(parse_error(R"({"run_id": "x"})").find("not a benchrun report"), std::string::npos);
}

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
  const Sample sample = example_report_with_checks().samples[1];
  const std::string line = sample_to_json_line(sample);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const Sample read_back = parse_sample(line);
  EXPECT_EQ(sample_to_json_line(read_back), line);
  EXPECT_EQ(read_back.case_name, "spin");
}

TEST(WorkloadResultJson, ReadsTheWorkloadsMetrics) {
  const WorkloadResult result =
      parse_workload_result(R"({"exit_code":0,"signal":null,"wall_ns":5,"user_us":1,"sys_us":2,"max_rss_kb":3,)"
                            R"("metrics":[{"name":"ops","value":12.5,"unit":"ops/s","better":"higher"}]})");
  EXPECT_EQ(result.metrics, (std::vector<WorkloadMetric>{{"ops", 12.5, "ops/s", Better::higher}}));
  EXPECT_THROW(
      parse_workload_result(R"({"exit_code":0,"signal":null,"wall_ns":5,"user_us":1,"sys_us":2,)"
                            R"("max_rss_kb":3,"metrics":[{"name":"ops","value":1,"unit":"s","better":"up"}]})"),
      sys::Error);
}

}  // namespace
}  // namespace benchrun::reports
