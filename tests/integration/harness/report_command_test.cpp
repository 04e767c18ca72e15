// `benchrun report FILE`, as a person would type it: the table of a v1 or v2 report again, or one line
// saying what is wrong with FILE and exit code 2.
#include <gtest/gtest.h>

#include <fstream>

#include "benchrun_process.hpp"
#include "reports/report_file.hpp"

namespace benchrun::testing {
namespace {

// Written by the v1 writer (see tests/unit/reports/fixtures).
const std::filesystem::path v1_report =
    std::filesystem::path(BENCHRUN_SOURCE_DIR) / "tests/unit/reports/fixtures/report_v1.json";

class ReportCommand : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path;
  }

  // The one line of a refused FILE.
  static std::string refusal(const std::filesystem::path& file) { return refusal_of({"report", file.string()}); }

  TempDir dir_;
};

TEST_F(ReportCommand, RendersTheTableOfAVersionOneReport) {
  const auto result = run_benchrun({"report", v1_report.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("backend    case  start  metric"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("container  spin  cold   time_to_ready_ms"), std::string::npos) << result.out;
  EXPECT_EQ(result.err, "");
}

TEST_F(ReportCommand, RendersTheSameTableFromTheVersionTwoReportOfTheSameRun) {
  const auto v2_report = dir_.path() / "report.json";
  reports::write_report_atomically(reports::read_report_file(v1_report), v2_report);
  ASSERT_NE(read_text(v2_report).find("benchrun.report/2"), std::string::npos);
  const auto from_v2 = run_benchrun({"report", v2_report.string()});
  EXPECT_EQ(from_v2.exit_code, 0) << from_v2.err;
  EXPECT_EQ(from_v2.out, run_benchrun({"report", v1_report.string()}).out);
}

TEST_F(ReportCommand, ATruncatedReportIsOneLineNamingTheFix) {
  const std::string text = read_text(v1_report);
  const std::string line = refusal(write("truncated.json", text.substr(0, text.size() / 2)));
  EXPECT_NE(line.find("parse error"), std::string::npos) << line;
  EXPECT_NE(line.find("give the report.json a benchrun run wrote"), std::string::npos) << line;
}

TEST_F(ReportCommand, JsonThatIsNoReportIsOneLineNamingTheFix) {
  const std::string line = refusal(write("samples.json", R"({"backend": "native", "repetition": 0})"));
  EXPECT_NE(line.find("not a benchrun report"), std::string::npos) << line;
  EXPECT_NE(refusal(dir_.path() / "missing.json").find("ENOENT"), std::string::npos);
}

TEST_F(ReportCommand, AnUnknownSchemaVersionIsOneLineNamingIt) {
  std::string text = read_text(v1_report);
  text.replace(text.find("benchrun.report/1"), 17, "benchrun.report/9");
  const std::string line = refusal(write("future.json", text));
  EXPECT_NE(line.find("'benchrun.report/9'"), std::string::npos) << line;
  EXPECT_NE(line.find("a newer one"), std::string::npos) << line;
}

}  // namespace
}  // namespace benchrun::testing
