// The freezer check's judgement, pure: what its three verdicts say for what a frozen ticker looks like from the
// host and from inside, and that each flips to fail for what a run without the freeze (--limits-off) observes,
// and for the ways a freeze can go wrong (CPU used while "frozen", memory changed, never thawed).
#include "harness/suites/limits_freezer.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace benchrun::harness {
namespace {

const LimitCheck& freezer() {
  static const std::vector<LimitCheck> checks = limit_checks(2);
  const LimitCheck* found = find_limit_check(checks, "freezer");
  if (found == nullptr) throw std::runtime_error("no freezer check");
  return *found;
}

std::map<std::string, reports::Verdict> judge(const Observation& seen) {
  std::map<std::string, reports::Verdict> verdicts;
  for (auto& verdict : freezer().judge(freezer(), seen)) verdicts[verdict.check] = verdict;
  return verdicts;
}

// What a 2 s freeze of the ticker looks like: frozen at both ends of the window, no CPU in it, thawed after; the
// ticker saw one gap as long as the window and went on, its memory intact.
Observation frozen_ticker() {
  Observation seen;
  seen.host.frozen_at_window_start = true;
  seen.host.frozen_at_window_end = true;
  seen.host.frozen_after_thaw = false;
  seen.host.cpu_usage_in_window_ns = 0;
  seen.host.frozen_window_ms = 2003.0;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"ticker_iterations", 90'000},
                           {"ticker_iterations_after_gap", 22'000},
                           {"ticker_max_gap_ms", 2051.0},
                           {"ticker_checksum_ok", 1}};
  return seen;
}

// What --limits-off observes: the same schedule, nothing frozen, the CPU used through the window.
Observation unfrozen_ticker() {
  Observation seen = frozen_ticker();
  seen.limit_applied = false;
  seen.host.frozen_at_window_start = false;
  seen.host.frozen_at_window_end = false;
  seen.host.cpu_usage_in_window_ns = 1'990'000'000;
  seen.workload.metrics["ticker_max_gap_ms"] = 0.4;
  seen.workload.metrics["ticker_iterations_after_gap"] = 60'000;
  return seen;
}

std::string reasons(const std::map<std::string, reports::Verdict>& verdicts) {
  std::string text;
  for (const auto& [name, verdict] : verdicts) text += name + ": " + verdict.why + "\n";
  return text;
}

TEST(LimitsFreezer, IsACheckOfItsOwnWithTheTickerAndItsOwnRun) {
  EXPECT_EQ(freezer().workload, "ticker");
  EXPECT_NE(freezer().observe, nullptr);
  EXPECT_FALSE(freezer().limits.any());
  const auto names = limit_check_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "freezer"), names.end());
}

TEST(LimitsFreezer, AFrozenTickerPassesEveryVerdictWithItsFigures) {
  const auto verdicts = judge(frozen_ticker());
  ASSERT_EQ(verdicts.size(), 3U) << reasons(verdicts);
  for (const auto& [name, verdict] : verdicts) EXPECT_TRUE(verdict.pass) << name << ": " << verdict.why;
  EXPECT_EQ(std::get<double>(*verdicts.at("freezer.no_progress").measured), 0.0);
  EXPECT_EQ(verdicts.at("freezer.no_progress").tolerance, freezer_cpu_share);
  EXPECT_EQ(std::get<double>(*verdicts.at("freezer.gap_seen").configured), 2003.0);
  EXPECT_EQ(std::get<double>(*verdicts.at("freezer.gap_seen").measured), 2051.0);
  EXPECT_EQ(std::get<std::string>(*verdicts.at("freezer.resumed_intact").measured), "intact");
}

TEST(LimitsFreezer, WithoutTheFreezeEveryVerdictFailsSayingSo) {
  const auto verdicts = judge(unfrozen_ticker());
  ASSERT_EQ(verdicts.size(), 3U);
  for (const auto& [name, verdict] : verdicts) {
    EXPECT_FALSE(verdict.pass) << name << ": " << verdict.why;
    EXPECT_NE(verdict.why.find("--limits-off"), std::string::npos) << verdict.why;
  }
  EXPECT_NE(verdicts.at("freezer.no_progress").why.find("1990.0 ms of CPU"), std::string::npos) << reasons(verdicts);
  EXPECT_NE(verdicts.at("freezer.resumed_intact").why.find("never saw the instance frozen"), std::string::npos);
}

TEST(LimitsFreezer, CpuUsedWhileReadFrozenFailsTheHostSideAlone) {
  Observation seen = frozen_ticker();
  seen.host.cpu_usage_in_window_ns = 25'000'000;  // 25 ms > 1 % of 2003 ms
  const auto verdicts = judge(seen);
  EXPECT_FALSE(verdicts.at("freezer.no_progress").pass);
  EXPECT_TRUE(verdicts.at("freezer.gap_seen").pass);
  seen.host.cpu_usage_in_window_ns = 15'000'000;  // within
  EXPECT_TRUE(judge(seen).at("freezer.no_progress").pass);
}

TEST(LimitsFreezer, AFreezeStillTakingHoldAtTheWindowStartFails) {
  Observation seen = frozen_ticker();
  seen.host.frozen_at_window_start = false;  // v1 FREEZING
  const auto verdicts = judge(seen);
  EXPECT_FALSE(verdicts.at("freezer.no_progress").pass);
  EXPECT_NE(verdicts.at("freezer.no_progress").why.find("not frozen at the start"), std::string::npos)
      << verdicts.at("freezer.no_progress").why;
}

TEST(LimitsFreezer, AGapShorterThanTheWindowLessFivePercentFails) {
  Observation seen = frozen_ticker();
  seen.workload.metrics["ticker_max_gap_ms"] = 2003.0 * 0.95 - 1;
  EXPECT_FALSE(judge(seen).at("freezer.gap_seen").pass);
  seen.workload.metrics["ticker_max_gap_ms"] = 2003.0 * 0.95 + 1;
  EXPECT_TRUE(judge(seen).at("freezer.gap_seen").pass);
}

TEST(LimitsFreezer, ChangedMemoryOrNoThawOrNoProgressAfterTheGapIsNotIntact) {
  Observation changed = frozen_ticker();
  changed.workload.metrics["ticker_checksum_ok"] = 0;
  changed.workload.exit_code = 1;
  const auto verdict = judge(changed).at("freezer.resumed_intact");
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("memory changed"), std::string::npos) << verdict.why;
  EXPECT_NE(verdict.why.find("exited 1"), std::string::npos) << verdict.why;

  Observation still_frozen = frozen_ticker();
  still_frozen.host.frozen_after_thaw = true;
  EXPECT_FALSE(judge(still_frozen).at("freezer.resumed_intact").pass);

  Observation stopped = frozen_ticker();
  stopped.workload.metrics["ticker_iterations_after_gap"] = 0;
  EXPECT_FALSE(judge(stopped).at("freezer.resumed_intact").pass);
}

TEST(LimitsFreezer, ATickerThatNeverReportedFailsEveryWorkloadSide) {
  Observation seen = frozen_ticker();
  seen.workload = WorkloadView{};
  const auto verdicts = judge(seen);
  EXPECT_TRUE(verdicts.at("freezer.no_progress").pass);
  EXPECT_FALSE(verdicts.at("freezer.gap_seen").pass);
  EXPECT_NE(verdicts.at("freezer.gap_seen").why.find("no RESULT"), std::string::npos);
  EXPECT_FALSE(verdicts.at("freezer.resumed_intact").pass);
}

}  // namespace
}  // namespace benchrun::harness
