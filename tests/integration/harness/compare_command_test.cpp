// `benchrun compare BASELINE CURRENT` as CI would call it: exit 0 when nothing regressed, 1 on a regression, 2 with
// one line naming the fix when the input is no pair of comparable reports. Reports are built here and written with
// the report writer.
#include <gtest/gtest.h>

#include <fstream>

#include "benchrun_process.hpp"
#include "handmade_reports.hpp"
#include "reports/report_file.hpp"

namespace benchrun::testing {
namespace {

// Mann-Whitney p = 0.0237 between these (scipy, see tests/unit/stats/mann_whitney_test.cpp); medians 4.95 and 11.
const std::vector<double> fast = {1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8};
const std::vector<double> slow = {3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 19.0};

class CompareCommand : public ::testing::Test {
 protected:
  // A complete report of `suite` whose native/hello/cold samples took `times` ms to ready.
  std::filesystem::path write_report(const std::string& name, const std::vector<double>& times,
                                     const std::string& suite = "startup") {
    reports::Report report = startup_report(times);
    report.options.suite = suite;
    const auto path = dir_.path() / name;
    reports::write_report_atomically(report, path);
    return path;
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

}  // namespace
}  // namespace benchrun::testing
