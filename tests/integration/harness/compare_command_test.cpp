// `benchrun compare BASELINE CURRENT` as CI would call it: exit 0 when nothing regressed, 1 on a regression, 2 with
// one line naming the fix when the input is no pair of comparable reports or an output cannot be written; and
// `benchrun --suite startup --baseline FILE`, which checks the baseline before measuring and compares after. Reports
// are built here and written with the report writer.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"
#include "handmade_reports.hpp"
#include "reports/report_file.hpp"
#include "tests/support/json_schema.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;

// Mann-Whitney p = 0.0237 between these (scipy, see tests/unit/stats/mann_whitney_test.cpp); medians 4.95 and 11.
const std::vector<double> fast = {1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8};
const std::vector<double> slow = {3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 19.0};

const std::filesystem::path comparison_schema =
    std::filesystem::path(BENCHRUN_SOURCE_DIR) / "reports/schema/comparison.schema.json";

// Writes a complete report at `path` whose `backend`/hello/cold samples took `times` ms to ready.
std::filesystem::path write_report(const std::filesystem::path& path, const std::vector<double>& times,
                                   const std::string& suite = "startup", const std::string& backend = "native") {
  reports::Report report = startup_report(times);
  report.options.suite = suite;
  for (reports::Sample& sample : report.samples) sample.backend = backend;
  for (reports::MetricSummary& summary : report.summaries) summary.backend = backend;
  for (reports::BackendInfo& info : report.backends) {
    info.name = backend;
    if (backend != "native") info.kind = reports::BackendKind::container;
  }
  reports::write_report_atomically(report, path);
  return path;
}

class CompareCommand : public ::testing::Test {
 protected:
  std::filesystem::path write_report(const std::string& name, const std::vector<double>& times,
                                     const std::string& suite = "startup") {
    return testing::write_report(dir_.path() / name, times, suite);
  }

  TempDir dir_;
};

TEST_F(CompareCommand, ASlowerRunExitsOneAndSaysRegressed) {
  const auto result =
      run_benchrun({"compare", write_report("base.json", fast).string(), write_report("cur.json", slow).string()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.out.find("native   hello  cold   time_to_ready_ms"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("regressed\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("weak test"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("1 regressed, 0 improved, 0 unchanged"), std::string::npos) << result.out;
}

TEST_F(CompareCommand, AFasterRunExitsZero) {
  const auto result =
      run_benchrun({"compare", write_report("base.json", slow).string(), write_report("cur.json", fast).string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("0 regressed, 1 improved, 0 unchanged"), std::string::npos) << result.out;
}

TEST_F(CompareCommand, AThresholdAboveTheChangeExitsZero) {
  const auto result = run_benchrun({"compare", write_report("base.json", fast).string(),
                                    write_report("cur.json", slow).string(), "--threshold", "150%"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("0 regressed, 0 improved, 1 unchanged (threshold 150%"), std::string::npos) << result.out;
}

TEST_F(CompareCommand, DifferentSuitesExitTwo) {
  const std::string line = refusal_of(
      {"compare", write_report("base.json", fast).string(), write_report("cur.json", slow, "density").string()});
  EXPECT_NE(line.find("compare runs of one suite"), std::string::npos) << line;
}

TEST_F(CompareCommand, ATruncatedReportExitsTwo) {
  const auto base = write_report("base.json", fast);
  const std::string text = read_text(base);
  const auto truncated = dir_.path() / "truncated.json";
  std::ofstream(truncated) << text.substr(0, text.size() / 2);
  const std::string line = refusal_of({"compare", base.string(), truncated.string()});
  EXPECT_NE(line.find("give the report.json a benchrun run wrote"), std::string::npos) << line;
}

TEST_F(CompareCommand, ABadThresholdExitsTwo) {
  const auto base = write_report("base.json", fast);
  const std::string line = refusal_of({"compare", base.string(), base.string(), "--threshold", "five"});
  EXPECT_NE(line.find("--threshold 'five'"), std::string::npos) << line;
}

TEST_F(CompareCommand, ARegressionStillWritesEveryOutput) {
  const auto json_path = dir_.path() / "comparison.json";
  const auto markdown_path = dir_.path() / "comparison.md";
  const auto html_path = dir_.path() / "comparison.html";
  const auto result =
      run_benchrun({"compare", write_report("base.json", fast).string(), write_report("cur.json", slow).string(),
                    "--json", json_path.string(), "--markdown", markdown_path.string(), "--html", html_path.string()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.out.find("comparison: " + json_path.string() + "\n"), std::string::npos) << result.out;
  EXPECT_EQ(schema_complaint(json_path, comparison_schema), "");
  const json document = json::parse(read_text(json_path));
  EXPECT_EQ(document.at("regressed"), true);
  EXPECT_EQ(document.at("rows").at(0).at("change"), "regressed");
  EXPECT_EQ(document.at("rows").at(0).at("current_count"), slow.size());
  EXPECT_TRUE(read_text(markdown_path).starts_with("### benchrun compare: regression\n"));
  EXPECT_TRUE(read_text(html_path).starts_with("<!DOCTYPE html>"));
}

TEST_F(CompareCommand, AnUnwritableOutputExitsTwoAndWritesNothing) {
  const auto markdown_path = dir_.path() / "comparison.md";
  std::ofstream(markdown_path) << "earlier\n";
  const std::string line =
      refusal_of({"compare", write_report("base.json", fast).string(), write_report("cur.json", slow).string(),
                  "--markdown", markdown_path.string(), "--json", (dir_.path() / "missing/comparison.json").string()});
  EXPECT_NE(line.find("--json " + (dir_.path() / "missing/comparison.json").string()), std::string::npos) << line;
  EXPECT_NE(line.find("is no folder"), std::string::npos) << line;
  EXPECT_EQ(read_text(markdown_path), "earlier\n");
}

TEST_F(CompareCommand, AnOutputOverAComparedReportIsRefused) {
  const auto base = write_report("base.json", fast);
  const std::string before = read_text(base);
  const std::string line =
      refusal_of({"compare", base.string(), write_report("cur.json", slow).string(), "--html", base.string()});
  EXPECT_NE(line.find("it is one of the reports compared"), std::string::npos) << line;
  EXPECT_EQ(read_text(base), before);
}

// benchrun --suite startup --backends native --baseline FILE: nine quick native runs against a baseline built here.
class SuiteBaseline : public LeakCheckedTest {
 protected:
  CommandResult run_against(const std::filesystem::path& baseline) {
    return run_benchrun({"--suite", "startup", "--backends", "native", "--start", "cold", "--runs", "9", "--warmup",
                         "0", "--out", out_dir_.string(), "--baseline", baseline.string()});
  }

  // A bad baseline is refused before anything is measured: exit 2, one line, no output folder.
  std::string refused_baseline(const std::filesystem::path& baseline) {
    const std::string line = refusal_of(
        {"--suite", "startup", "--backends", "native", "--out", out_dir_.string(), "--baseline", baseline.string()});
    EXPECT_FALSE(std::filesystem::exists(out_dir_)) << "something was measured";
    return line;
  }

  TempDir dir_;
  std::filesystem::path out_dir_ = dir_.path() / "out";
};

TEST_F(SuiteBaseline, ABaselineFarSlowerImprovesAndExitsZero) {
  const auto result = run_against(write_report(dir_.path() / "base.json", std::vector<double>(9, 100'000.0)));
  EXPECT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_NE(result.out.find("compared with the baseline"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("0 regressed, 1 improved"), std::string::npos) << result.out;
  EXPECT_EQ(schema_complaint(out_dir_ / "comparison.json", comparison_schema), "");
  EXPECT_TRUE(std::filesystem::exists(out_dir_ / "comparison.html"));
  EXPECT_EQ(validate_against_schema(out_dir_ / "report.json"), "");
}

TEST_F(SuiteBaseline, ABaselineFarFasterRegressesAndExitsOne) {
  const auto result = run_against(write_report(dir_.path() / "base.json", std::vector<double>(9, 0.000'001)));
  EXPECT_EQ(result.exit_code, 1) << result.err << result.out;
  EXPECT_NE(result.out.find("1 regressed, 0 improved"), std::string::npos) << result.out;
  EXPECT_EQ(json::parse(read_text(out_dir_ / "comparison.json")).at("regressed"), true);
}

TEST_F(SuiteBaseline, ATruncatedBaselineIsRefusedBeforeTheRun) {
  const auto base = write_report(dir_.path() / "base.json", fast);
  const std::string text = read_text(base);
  std::ofstream(base, std::ios::trunc) << text.substr(0, text.size() / 2);
  EXPECT_NE(refused_baseline(base).find("give the report.json a benchrun run wrote"), std::string::npos);
}

TEST_F(SuiteBaseline, ABaselineOfAnotherSuiteIsRefusedBeforeTheRun) {
  const std::string line = refused_baseline(write_report(dir_.path() / "base.json", fast, "density"));
  EXPECT_NE(line.find("a run of suite 'density', not 'startup'"), std::string::npos) << line;
}

TEST_F(SuiteBaseline, ABaselineOfOtherBackendsIsRefusedBeforeTheRun) {
  const std::string line = refused_baseline(write_report(dir_.path() / "base.json", fast, "startup", "container"));
  EXPECT_NE(line.find("no measured ok sample of a backend and case this run measures"), std::string::npos) << line;
}

}  // namespace
}  // namespace benchrun::testing
