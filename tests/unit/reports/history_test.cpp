// The nightly history folder: which folders are runs, what their files say, and which run is the baseline.
#include "reports/history.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "test_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::reports {
namespace {

using benchrun::testing::TempDir;

// A run as list_history would give it.
HistoryRun run(const std::string& id, std::optional<RunVerdict> verdict, bool has_report = true) {
  HistoryRun run = *parse_run_id(id);
  run.has_report = has_report;
  run.verdict = verdict;
  return run;
}

TEST(HistoryRunId, SplitsTheTimestampFromTheSuite) {
  const auto parsed = parse_run_id("20261202T020000Z-startup");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->timestamp, "20261202T020000Z");
  EXPECT_EQ(parsed->suite, "startup");
  EXPECT_EQ(parsed->id, "20261202T020000Z-startup");
  EXPECT_EQ(parse_run_id("20261202T020000Z-my-suite_2")->suite, "my-suite_2");
}

TEST(HistoryRunId, RefusesWhatIsNoRunFolder) {
  for (const char* name : {"trend.html", "pinned-baseline-startup", "20261202T020000Z", "20261202T020000Z-",
                           "2026-12-02T02:00:00Z-startup", "20261202T020000-startup", "20261202T020000Z-a/b",
                           ".20261202T020000Z-startup"}) {
    EXPECT_FALSE(parse_run_id(name)) << name;
  }
}

class HistoryFolder : public ::testing::Test {
 protected:
  void add_run(const std::string& id, const std::string& verdict, bool with_report = true) {
    std::filesystem::create_directory(history_.path() / id);
    if (with_report) sys::write_file_new(history_.path() / id / "report.json", "{}");
    if (!verdict.empty()) sys::write_file_new(history_.path() / id / "verdict", verdict);
  }

  TempDir history_{"history-test"};
};

TEST_F(HistoryFolder, ListsRunFoldersOldestFirstWithWhatTheirFilesSay) {
  add_run("20261203T020000Z-startup", "regressed\n");
  add_run("20261201T020000Z-startup", "good\n");
  add_run("20261202T020000Z-density", "", false);
  sys::write_file_new(history_.path() / "20261203T020000Z-startup" / "baseline", "20261201T020000Z-startup\n");
  sys::write_file_new(history_.path() / "trend.html", "<html>");
  sys::write_file_new(history_.path() / "20261204T020000Z-startup", "a file, no run folder");
  std::filesystem::create_directory(history_.path() / "notes");

  HistoryRun first = run("20261201T020000Z-startup", RunVerdict::good);
  HistoryRun unfinished = run("20261202T020000Z-density", std::nullopt, false);
  HistoryRun regressed = run("20261203T020000Z-startup", RunVerdict::regressed);
  regressed.baseline = "20261201T020000Z-startup";
  EXPECT_EQ(list_history(history_.path()), (std::vector<HistoryRun>{first, unfinished, regressed}));
}

TEST_F(HistoryFolder, AnEmptyFolderHasNoRuns) { EXPECT_EQ(list_history(history_.path()), std::vector<HistoryRun>{}); }

TEST_F(HistoryFolder, AMissingFolderIsAnErrorNamingIt) {
  const auto missing = history_.path() / "missing";
  try {
    list_history(missing);
    FAIL() << "listed a missing folder";
  } catch (const sys::SystemError& error) {
    EXPECT_NE(std::string(error.what()).find(missing.string()), std::string::npos) << error.what();
    EXPECT_EQ(error.code(), ENOENT);
  }
}

TEST_F(HistoryFolder, AVerdictFileWithOtherTextIsAnErrorNamingTheRun) {
  add_run("20261201T020000Z-startup", "maybe\n");
  try {
    list_history(history_.path());
    FAIL() << "read 'maybe' as a verdict";
  } catch (const sys::Error& error) {
    EXPECT_EQ(std::string(error.what()),
              "history run 20261201T020000Z-startup: unknown verdict 'maybe' (expected good, regressed or failed)");
  }
}

TEST_F(HistoryFolder, APinNamesARunOfTheHistoryAndIsReadBackForItsSuite) {
  add_run("20261201T020000Z-startup", "good");
  EXPECT_EQ(read_pinned_baseline(history_.path(), "startup"), std::nullopt);
  pin_baseline(history_.path(), list_history(history_.path()), "20261201T020000Z-startup");
  EXPECT_EQ(sys::read_file(history_.path() / "pinned-baseline-startup"), "20261201T020000Z-startup\n");
  EXPECT_EQ(read_pinned_baseline(history_.path(), "startup"), "20261201T020000Z-startup");
  EXPECT_EQ(read_pinned_baseline(history_.path(), "density"), std::nullopt);
}

TEST_F(HistoryFolder, PinningARunWithoutAReportWritesNothing) {
  add_run("20261201T020000Z-startup", "failed", false);
  const auto runs = list_history(history_.path());
  EXPECT_THROW(pin_baseline(history_.path(), runs, "20261201T020000Z-startup"), sys::Error);
  EXPECT_THROW(pin_baseline(history_.path(), runs, "20261109T020000Z-startup"), sys::Error);
  EXPECT_EQ(testing::file_names(history_.path()), std::vector<std::string>{"20261201T020000Z-startup"});
}

const std::vector<HistoryRun> nights = {
    run("20261201T020000Z-startup", RunVerdict::good),
    run("20261202T020000Z-startup", RunVerdict::good),
    run("20261203T020000Z-density", RunVerdict::good),
    run("20261203T020000Z-startup", RunVerdict::regressed),
    run("20261204T020000Z-startup", RunVerdict::failed),
    run("20261205T020000Z-startup", RunVerdict::good, false),  // its report.json is gone
    run("20261206T020000Z-startup", std::nullopt),             // still running, or killed
};

TEST(SelectBaseline, IsTheNewestGoodRunOfTheSuite) {
  EXPECT_EQ(select_baseline(nights, "startup", std::nullopt)->id, "20261202T020000Z-startup");
  EXPECT_EQ(select_baseline(nights, "density", std::nullopt)->id, "20261203T020000Z-density");
}

TEST(SelectBaseline, IsNoneOnTheFirstRunOfASuite) {
  EXPECT_EQ(select_baseline(nights, "limits", std::nullopt), std::nullopt);
  EXPECT_EQ(select_baseline({}, "startup", std::nullopt), std::nullopt);
  const std::vector<HistoryRun> only_bad = {run("20261203T020000Z-startup", RunVerdict::regressed),
                                            run("20261204T020000Z-startup", RunVerdict::failed)};
  EXPECT_EQ(select_baseline(only_bad, "startup", std::nullopt), std::nullopt);
}

TEST(SelectBaseline, IsThePinnedRunWhateverItsVerdictAndAge) {
  EXPECT_EQ(select_baseline(nights, "startup", "20261201T020000Z-startup")->id, "20261201T020000Z-startup");
  EXPECT_EQ(select_baseline(nights, "startup", "20261203T020000Z-startup")->id, "20261203T020000Z-startup");
}

TEST(SelectBaseline, APinnedRunThatCannotServeIsAnErrorNamingIt) {
  for (const char* pinned : {"20261109T020000Z-startup", "20261203T020000Z-density", "20261205T020000Z-startup"}) {
    try {
      select_baseline(nights, "startup", pinned);
      FAIL() << pinned << " served as a baseline";
    } catch (const sys::Error& error) {
      EXPECT_EQ(std::string(error.what()),
                fmt::format("the pinned baseline of startup is {}, but no run of startup with a report.json has that "
                            "name",
                            pinned));
    }
  }
}

TEST(RunVerdict, NamesReadBack) {
  for (const RunVerdict verdict : {RunVerdict::good, RunVerdict::regressed, RunVerdict::failed}) {
    EXPECT_EQ(parse_run_verdict(to_string(verdict)), verdict);
  }
  EXPECT_THROW(parse_run_verdict("Good"), sys::Error);
}

}  // namespace
}  // namespace benchrun::reports
