// `benchrun trend` and `benchrun baseline` on history folders made here (handmade_reports.hpp), as
// scripts/nightly.sh calls them: the page of the last runs, the baseline choice, pins, and one line with exit 2
// for a history or an output they cannot use.
#include <gtest/gtest.h>

#include <fstream>

#include "benchrun_process.hpp"
#include "handmade_reports.hpp"

namespace benchrun::testing {
namespace {

const std::vector<double> usual = {2.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8};

class HistoryCommands : public ::testing::Test {
 protected:
  std::string history() const { return history_.path().string(); }
  std::filesystem::path page() const { return out_.path() / "trend.html"; }
  void file(const std::string& id, const std::string& verdict, double factor = 1.0) {
    file_run(history_.path(), id, scaled(startup_report(usual), factor), verdict);
  }

  TempDir history_{"history"};
  TempDir out_{"trend-out"};
};

TEST_F(HistoryCommands, TrendDrawsEachRunAndMarksTheRegressedOne) {
  file("20261201T020000Z-startup", "good");
  file("20261202T020000Z-startup", "regressed", 2.0);
  file("20261203T020000Z-startup", "good");
  const auto result = run_benchrun({"trend", history(), "--html", page().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "trend: " + page().string() + "\n");
  EXPECT_EQ(result.err, "");
  const std::string html = read_text(page());
  for (const char* id : {"20261201T020000Z-startup", "20261202T020000Z-startup", "20261203T020000Z-startup"}) {
    EXPECT_NE(html.find(id), std::string::npos) << id;
  }
  EXPECT_NE(html.find("hello · time_to_ready_ms"), std::string::npos);
  EXPECT_NE(html.find("native cold"), std::string::npos);
  EXPECT_NE(html.find("class=\"marked\""), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("regressed"), std::string::npos);
}

TEST_F(HistoryCommands, TrendShowsTheLastRunsOfEachSuite) {
  file("20261201T020000Z-startup", "good");
  file("20261202T020000Z-startup", "good");
  file("20261203T020000Z-startup", "good");
  ASSERT_EQ(run_benchrun({"trend", history(), "--html", page().string(), "--last", "2"}).exit_code, 0);
  const std::string html = read_text(page());
  EXPECT_EQ(html.find("20261201T020000Z-startup"), std::string::npos);
  EXPECT_NE(html.find("20261202T020000Z-startup"), std::string::npos);
}

TEST_F(HistoryCommands, TrendLeavesOutATruncatedReportWithAWarningNamingIt) {
  file("20261201T020000Z-startup", "good");
  const auto broken = file_run(history_.path(), "20261202T020000Z-startup", startup_report(usual), "good");
  const std::string text = read_text(broken / "report.json");
  std::ofstream(broken / "report.json", std::ios::trunc) << text.substr(0, text.size() / 2);
  file("20261203T020000Z-startup", "good");
  const auto result = run_benchrun({"trend", history(), "--html", page().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("warning: run 20261202T020000Z-startup left out of the trend"), std::string::npos)
      << result.err;
  const std::string html = read_text(page());
  EXPECT_NE(html.find("20261201T020000Z-startup"), std::string::npos);
  EXPECT_NE(html.find("20261203T020000Z-startup"), std::string::npos);
}

TEST_F(HistoryCommands, TrendOfAnEmptyOrMissingHistoryIsOneLine) {
  EXPECT_NE(refusal_of({"trend", history(), "--html", page().string()}).find("no runs in"), std::string::npos);
  EXPECT_NE(refusal_of({"trend", history() + "/missing", "--html", page().string()}).find("ENOENT"), std::string::npos);
  file("20261201T020000Z-startup", "good");
  EXPECT_NE(
      refusal_of({"trend", history(), "--suite", "density", "--html", page().string()}).find("no runs of density"),
      std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(page()));
}

TEST_F(HistoryCommands, TrendToAPathItCannotWriteIsOneLineAndChangesNothing) {
  file("20261201T020000Z-startup", "good");
  const auto not_a_folder = out_.path() / "file";
  std::ofstream(not_a_folder) << "kept";
  const std::string line = refusal_of({"trend", history(), "--html", (not_a_folder / "trend.html").string()});
  EXPECT_NE(line.find("choose a writable --html path"), std::string::npos) << line;
  EXPECT_EQ(read_text(not_a_folder), "kept");
}

TEST_F(HistoryCommands, BaselineIsTheNewestGoodRunOrNothingOnAFirstRun) {
  EXPECT_EQ(run_benchrun({"baseline", history(), "--suite", "startup"}), (CommandResult{0, "", ""}));
  file("20261201T020000Z-startup", "good");
  file("20261202T020000Z-startup", "good");
  file("20261203T020000Z-startup", "regressed");
  EXPECT_EQ(run_benchrun({"baseline", history(), "--suite", "startup"}),
            (CommandResult{0, "20261202T020000Z-startup\n", ""}));
}

TEST_F(HistoryCommands, APinnedBaselineWinsUntilItsFileIsRemoved) {
  file("20261201T020000Z-startup", "good");
  file("20261202T020000Z-startup", "good");
  EXPECT_EQ(run_benchrun({"baseline", history(), "--pin", "20261201T020000Z-startup"}).exit_code, 0);
  EXPECT_EQ(read_text(history_.path() / "pinned-baseline-startup"), "20261201T020000Z-startup\n");
  EXPECT_EQ(run_benchrun({"baseline", history(), "--suite", "startup"}).out, "20261201T020000Z-startup\n");
  std::filesystem::remove(history_.path() / "pinned-baseline-startup");
  EXPECT_EQ(run_benchrun({"baseline", history(), "--suite", "startup"}).out, "20261202T020000Z-startup\n");
}

TEST_F(HistoryCommands, BaselineRefusesWhatItCannotUseInOneLine) {
  file("20261201T020000Z-startup", "good");
  EXPECT_NE(
      refusal_of({"baseline", history(), "--pin", "20261109T020000Z-startup"}).find("pin 20261109T020000Z-startup"),
      std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(history_.path() / "pinned-baseline-startup"));
  EXPECT_NE(refusal_of({"baseline", history(), "--suite", "nosuch"}).find("unknown suite 'nosuch'"), std::string::npos);
  EXPECT_NE(refusal_of({"baseline", history()}).find("give --suite SUITE"), std::string::npos);
  std::ofstream(history_.path() / "pinned-baseline-startup") << "20261109T020000Z-startup\n";
  EXPECT_NE(refusal_of({"baseline", history(), "--suite", "startup"}).find("pinned baseline of startup is"),
            std::string::npos);
}

}  // namespace
}  // namespace benchrun::testing
