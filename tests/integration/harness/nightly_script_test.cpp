// scripts/nightly.sh for real: a quick native startup run filed in a temporary history, compared with a baseline
// made here from a real run (faster or slower by a known factor, so the verdict never rests on timing luck),
// the trend page, the exit codes, and one line with exit 2 for what it cannot use.
#include <gtest/gtest.h>

#include <fstream>

#include "benchrun_process.hpp"
#include "handmade_reports.hpp"
#include "reports/report_file.hpp"

namespace benchrun::testing {
namespace {

class NightlyScript : public LeakCheckedTest {
 protected:
  // scripts/nightly.sh ARGS on the test's history: the startup suite, native only, 10 warm runs.
  CommandResult nightly(const std::vector<std::string>& args, const std::filesystem::path& history) {
    std::vector<std::string> argv = {"/usr/bin/env", "BENCHRUN=" + benchrun_executable().string(),
                                     "bash",         std::string(BENCHRUN_SOURCE_DIR) + "/scripts/nightly.sh",
                                     "--history",    history.string(),
                                     "--suites",     "startup",
                                     "--backends",   "native",
                                     "--runs",       "10"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--", "--start", "warm", "--warmup", "0"});
    return run_command(argv);
  }
  CommandResult nightly(const std::vector<std::string>& args = {}) { return nightly(args, history_.path()); }

  // The run folders of the history, oldest first.
  std::vector<std::filesystem::path> runs() const {
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(history_.path())) {
      if (entry.is_directory()) found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    return found;
  }

  // A baseline made of the real run `from`: its samples `factor` times as long, filed as good under `id`.
  void file_baseline(const std::filesystem::path& from, const std::string& id, double factor) {
    file_run(history_.path(), id, scaled(reports::read_report_file(from / "report.json"), factor), "good");
  }

  TempDir history_{"nightly-history"};
};

TEST_F(NightlyScript, AFirstRunIsFiledAsGoodWithoutABaseline) {
  const auto result = nightly();
  ASSERT_EQ(result.exit_code, 0) << result.out;
  ASSERT_EQ(runs().size(), 1u);
  const auto run = runs().front();
  EXPECT_NE(result.out.find("startup: good (baseline: none): " + run.string()), std::string::npos) << result.out;
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(run)) files.push_back(entry.path().filename());
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"benchrun.log", "comparison.txt", "report.html", "report.json",
                                             "samples.jsonl", "verdict"}));
  EXPECT_EQ(read_text(run / "verdict"), "good\n");
  EXPECT_NE(read_text(run / "comparison.txt").find("no baseline"), std::string::npos);
  EXPECT_NE(read_text(history_.path() / "trend.html").find(run.filename().string()), std::string::npos);
}

TEST_F(NightlyScript, ARunSlowerThanThePinnedBaselineRegressesAndExitsOne) {
  ASSERT_EQ(nightly().exit_code, 0);
  const std::string fast = "20000101T000000Z-startup";
  file_baseline(runs().back(), fast, 0.25);
  const auto result = nightly({"--pin", fast});
  EXPECT_EQ(result.exit_code, 1) << result.out;
  ASSERT_EQ(runs().size(), 3u);
  const auto run = runs().back();
  EXPECT_EQ(read_text(run / "verdict"), "regressed\n");
  EXPECT_EQ(read_text(run / "baseline"), fast + "\n");
  EXPECT_EQ(read_text(history_.path() / "pinned-baseline-startup"), fast + "\n");
  EXPECT_NE(read_text(run / "comparison.txt").find("regressed"), std::string::npos);
  EXPECT_NE(result.out.find("startup: regressed (baseline: " + fast + ")"), std::string::npos) << result.out;
  const std::string page = read_text(history_.path() / "trend.html");
  EXPECT_NE(page.find(run.filename().string()), std::string::npos);
  EXPECT_NE(page.find(fast), std::string::npos);
}

TEST_F(NightlyScript, ARunFasterThanTheNewestGoodRunIsGood) {
  ASSERT_EQ(nightly().exit_code, 0);
  const std::string slow = "29991231T235959Z-startup";  // newer than any run this test makes
  file_baseline(runs().back(), slow, 4.0);
  const auto result = nightly();
  EXPECT_EQ(result.exit_code, 0) << result.out;
  const auto run = runs().at(1);
  EXPECT_EQ(read_text(run / "verdict"), "good\n");
  EXPECT_EQ(read_text(run / "baseline"), slow + "\n");
  EXPECT_NE(read_text(run / "comparison.txt").find("improved"), std::string::npos);
}

// What nightly.sh refuses: exit 2, one line, no run folder.
std::string refusal(const CommandResult& result) {
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << result.out;
  return result.out;
}

TEST_F(NightlyScript, APinnedBaselineThatIsNotThereIsOneLineAndNothingRuns) {
  const std::string line = refusal(nightly({"--pin", "20261109T020000Z-startup"}));
  EXPECT_NE(line.find("pin 20261109T020000Z-startup"), std::string::npos) << line;
  EXPECT_TRUE(runs().empty());
  std::ofstream(history_.path() / "pinned-baseline-startup") << "20261109T020000Z-startup\n";
  EXPECT_NE(refusal(nightly()).find("the pinned baseline of startup is 20261109T020000Z-startup"), std::string::npos);
  EXPECT_TRUE(runs().empty());
}

TEST_F(NightlyScript, AHistoryItCannotWriteIsOneLine) {
  const auto not_a_folder = history_.path() / "file";
  std::ofstream(not_a_folder) << "kept";
  const std::string line = refusal(nightly({}, not_a_folder / "history"));
  EXPECT_NE(line.find("cannot create the history folder"), std::string::npos) << line;
  EXPECT_EQ(read_text(not_a_folder), "kept");
}

TEST_F(NightlyScript, BadUsageIsOneLine) {
  EXPECT_NE(refusal(nightly({"--runs", "0"})).find("--runs '0'"), std::string::npos);
  EXPECT_NE(refusal(nightly({"--suites", "nosuch"})).find("unknown suite 'nosuch'"), std::string::npos);
  EXPECT_NE(refusal(nightly({"--frobnicate", "1"})).find("unknown option '--frobnicate'"), std::string::npos);
  EXPECT_TRUE(runs().empty());
}

}  // namespace
}  // namespace benchrun::testing
