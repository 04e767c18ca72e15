#include "harness/report_merge.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "reports/json.hpp"
#include "sys/error.hpp"
#include "test_support.hpp"

namespace benchrun::harness {
namespace {

using reports::testing::example_report_with_checks;

// example_report_with_checks as measured on `hostname`, its container `slowdown` times native to ready (cold).
reports::Report host_report(const std::string& hostname, double slowdown = 3.0) {
  reports::Report report = example_report_with_checks();
  report.environment.hostname = hostname;
  for (reports::Sample& sample : report.samples) {
    if (sample.backend == "container" && sample.ok) sample.metrics["time_to_ready_ms"] = 1.25 * slowdown;
  }
  return report;
}

MergeInput input(const std::string& source, reports::Report report, const std::string& host = "") {
  return {source, std::move(report), host};
}

// The message of the Error merging `inputs` throws ("" when they merge).
std::string merge_error(std::vector<MergeInput> inputs) {
  try {
    (void)merge_reports(std::move(inputs));
  } catch (const sys::Error& error) {
    return error.what();
  }
  return "";
}

std::vector<std::string> backend_names(const reports::Report& report) {
  std::vector<std::string> names;
  for (const reports::BackendInfo& backend : report.backends) names.push_back(backend.name);
  return names;
}

const reports::MetricSummary& summary_of(const reports::Report& report, const std::string& backend) {
  const auto found = std::find_if(report.summaries.begin(), report.summaries.end(), [&](const auto& row) {
    return row.backend == backend && row.metric == "time_to_ready_ms" && row.start_mode == reports::StartMode::cold;
  });
  if (found == report.summaries.end()) throw sys::Error("no cold time_to_ready_ms summary of " + backend);
  return *found;
}

TEST(MergeReports, QualifiesEveryBackendByItsHostAndKeepsEachEnvironment) {
  const reports::Report merged =
      merge_reports({input("a.json", host_report("lab1")), input("b.json", host_report("lab2"))});
  const std::vector<std::string> qualified = {"lab1/native", "lab1/container", "lab2/native", "lab2/container"};
  EXPECT_EQ(backend_names(merged), qualified);
  EXPECT_EQ(merged.options.backends, qualified);
  EXPECT_EQ(merged.backends[2].host, "lab2");
  ASSERT_EQ(merged.hosts.size(), 2U);
  EXPECT_EQ(merged.hosts[0].host, "lab1");
  EXPECT_EQ(merged.hosts[1].environment.hostname, "lab2");
  EXPECT_EQ(merged.environment.hostname, "lab1") << "environment is the first host's";
  EXPECT_EQ(merged.samples.size(), 2 * example_report_with_checks().samples.size());
  EXPECT_EQ(merged.samples.back().backend, "lab2/container");
  EXPECT_EQ(merged.verdicts.back().backend, "lab2/container");
  EXPECT_EQ(merged.series.back().backend, "lab2/container");
  EXPECT_EQ(merged.errors.back(), "lab2: container #1: OOM-killed");
  EXPECT_EQ(merged.run_id, "merged-" + example_report_with_checks().run_id);
  EXPECT_FALSE(merged.complete) << "an incomplete input makes an incomplete merge";
}

TEST(MergeReports, RatesEachHostAgainstItsOwnNative) {
  const reports::Report merged = merge_reports(
      {input("a.json", host_report("lab1", 3.0)), input("b.json", host_report("lab2", /*slowdown=*/2.0))});
  EXPECT_EQ(summary_of(merged, "lab1/container").ratio_to_native, 3.0);
  EXPECT_EQ(summary_of(merged, "lab2/container").ratio_to_native, 2.0);
  EXPECT_FALSE(summary_of(merged, "lab2/native").ratio_to_native.has_value());
  EXPECT_FALSE(merged.phase_summaries.empty());
}

TEST(MergeReports, AGivenHostNameReplacesTheHostname) {
  const reports::Report merged =
      merge_reports({input("a.json", host_report("lab1"), "east"), input("b.json", host_report("lab2"))});
  EXPECT_EQ(merged.hosts[0].host, "east");
  EXPECT_EQ(merged.hosts[0].environment.hostname, "lab1") << "the environment says what the host called itself";
  EXPECT_EQ(merged.backends[0].name, "east/native");
}

// Two runs on one host would make one name mean two runs; which one is "#2" would hang on argument order, and
// compare matches rows by name: the user names them, once, the same way every night.
TEST(MergeReports, TwoReportsOfOneHostAreRefusedUntilNamed) {
  const std::string error = merge_error({input("a.json", host_report("lab1")), input("b.json", host_report("lab1"))});
  EXPECT_NE(error.find("host 'lab1' is in both a.json and b.json"), std::string::npos) << error;
  EXPECT_NE(error.find("--host-names"), std::string::npos) << error;
  const reports::Report named = merge_reports(
      {input("a.json", host_report("lab1"), "lab1-morning"), input("b.json", host_report("lab1"), "lab1-night")});
  EXPECT_EQ(backend_names(named)[2], "lab1-night/native");
}

TEST(MergeReports, AHostNameWithASlashOrEmptyIsRefused) {
  EXPECT_NE(merge_error({input("a.json", host_report("lab1"), "rack/1")}).find("host name 'rack/1'"),
            std::string::npos);
  EXPECT_NE(merge_error({input("a.json", host_report(""))}).find("host name ''"), std::string::npos);
}

TEST(MergeReports, ReportsOfDifferentSuitesAreRefused) {
  reports::Report density = host_report("lab2");
  density.options.suite = "density";
  const std::string error = merge_error({input("a.json", host_report("lab1")), input("b.json", density)});
  EXPECT_NE(error.find("b.json is a 'density' report, the first one a 'startup' report"), std::string::npos) << error;
}

TEST(MergeReports, AMergedReportMergesAgainKeepingItsHosts) {
  const reports::Report pair =
      merge_reports({input("a.json", host_report("lab1")), input("b.json", host_report("lab2"))});
  const reports::Report three = merge_reports({input("pair.json", pair), input("c.json", host_report("lab3", 4.0))});
  EXPECT_EQ(backend_names(three), (std::vector<std::string>{"lab1/native", "lab1/container", "lab2/native",
                                                            "lab2/container", "lab3/native", "lab3/container"}));
  EXPECT_EQ(three.hosts.size(), 3U);
  EXPECT_EQ(three.run_id, pair.run_id) << "no second prefix";
  EXPECT_EQ(summary_of(three, "lab3/container").ratio_to_native, 4.0);
  EXPECT_NE(merge_error({input("pair.json", pair, "lab9")}).find("pair.json is merged already (hosts lab1, lab2)"),
            std::string::npos);
  EXPECT_NE(merge_error({input("pair.json", pair), input("a.json", host_report("lab1"))}).find("host 'lab1'"),
            std::string::npos);
}

TEST(MergeReports, CasesAreTheUnionAndDifferingOptionsKeepTheFirstsWithAWarning) {
  reports::Report second = host_report("lab2");
  second.options.runs = 5;
  second.options.cases[0].limits.memory_bytes = 128ULL << 20;
  second.options.cases.push_back({"hello", "hello", {}, {}});
  const reports::Report merged = merge_reports({input("a.json", host_report("lab1")), input("b.json", second)});
  ASSERT_EQ(merged.options.cases.size(), 2U);
  EXPECT_EQ(merged.options.cases[0], example_report_with_checks().options.cases[0]);
  EXPECT_EQ(merged.options.cases[1].name, "hello");
  EXPECT_EQ(merged.options.runs, 2);
  const auto warned = [&](const std::string& text) {
    return std::any_of(merged.warnings.begin(), merged.warnings.end(),
                       [&](const std::string& warning) { return warning.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(warned("merge: b.json has runs 5, the first report 2")) << ::testing::PrintToString(merged.warnings);
  EXPECT_TRUE(warned("merge: b.json defines case 'spin' otherwise")) << ::testing::PrintToString(merged.warnings);
  EXPECT_TRUE(warned("lab2: only 2 runs: intervals are wide")) << "each host's own warnings are kept";
}

TEST(MergeReports, TheMergedReportValidatesAgainstTheSchemaAndReadsBack) {
  const reports::Report merged =
      merge_reports({input("a.json", host_report("lab1")), input("b.json", host_report("lab2"))});
  const std::string text = reports::report_to_json_text(merged);
  EXPECT_EQ(reports::testing::schema_complaint(text), "");
  EXPECT_EQ(reports::report_to_json_text(reports::parse_report(text)), text);
}

}  // namespace
}  // namespace benchrun::harness
