// stress-ng observing the memory limit, pure: its console lines parsed as a real run printed them (stress-ng
// 0.15.06 in a container of image guest under 32 MiB, and without a limit), and the judgement from its
// report, the cgroup and their agreement; flipped to fail without the limit (what --limits-off runs).
#include "harness/suites/limits_observer_memory.hpp"

#include <gtest/gtest.h>

namespace benchrun::harness {
namespace {

constexpr std::uint64_t mib = 1ULL << 20;

// `benchrun run --backend container --image guest --memory 32M -- /bin/sh -c '<the check's script>'`.
std::vector<std::string> killed_lines() {
  return {
      "stress-ng: debug: [3] invoked with '/usr/bin/stress-ng --vm 1 --vm-bytes 64M --vm-keep --oomable --timeout 3 "
      "--metrics -v' by user 0 'root'",
      "stress-ng: debug: [3] stress-ng 0.15.06",
      "stress-ng: debug: [3] system: Linux benchrun-20261206-110942-f86e-0 6.18.44-fc-v1272 #1 SMP PREEMPT_DYNAMIC @0 "
      "x86_64",
      "stress-ng: debug: [3] RAM total: 23.5G, RAM free: 19.2G, swap free: 0.0",
      "stress-ng: debug: [3] temporary file path: '.', filesystem type: overlayfs",
      "stress-ng: debug: [3] 2 processors online, 2 processors configured",
      "stress-ng: debug: [3] main: can't set oom_score_adj",
      "stress-ng: info:  [3] setting to a 3 second run per stressor",
      "stress-ng: info:  [3] dispatching hogs: 1 vm",
      "stress-ng: debug: [3] cache allocate: shared cache buffer size: 32768K",
      "stress-ng: debug: [3] starting stressors",
      "stress-ng: debug: [3] 1 stressor started",
      "stress-ng: debug: [4] vm: started [4] (instance 0)",
      "stress-ng: debug: [4] vm: using method 'all'",
      "stress-ng: debug: [4] vm: child died: signal 9 'SIGKILL' (instance 0)",
      "stress-ng: debug: [4] vm: assuming killed by OOM killer, bailing out (instance 0)",
      "stress-ng: debug: [4] vm: exited [4] (instance 0)",
      "stress-ng: warn:  [4] vm: WARNING: finished prematurely after just 0.71s",
      "stress-ng: debug: [3] process [4] terminated",
      "stress-ng: metrc: [3] stressor       bogo ops real time  usr time  sys time   bogo ops/s     bogo ops/s CPU "
      "used per       RSS Max",
      "stress-ng: metrc: [3]                           (secs)    (secs)    (secs)   (real time) (usr+sys time) "
      "instance (%)          (KB)",
      "stress-ng: metrc: [3] vm                    0      0.20      0.00      0.04         0.00           0.00        "
      "22.39         30072",
      "stress-ng: debug: [3] metrics-check: all stressor metrics validated and sane",
      "stress-ng: info:  [3] successful run completed in 0.22s",
  };
}

// The same without --memory: the stressor kept its 64 MiB until the timeout.
std::vector<std::string> unlimited_lines() {
  return {
      "stress-ng: debug: [3] invoked with '/usr/bin/stress-ng --vm 1 --vm-bytes 64M --vm-keep --oomable --timeout 3 "
      "--metrics -v' by user 0 'root'",
      "stress-ng: debug: [3] stress-ng 0.15.06",
      "stress-ng: debug: [3] system: Linux benchrun-20261206-110943-d7f8-0 6.18.44-fc-v1272 #1 SMP PREEMPT_DYNAMIC @0 "
      "x86_64",
      "stress-ng: debug: [3] RAM total: 23.5G, RAM free: 19.4G, swap free: 0.0",
      "stress-ng: debug: [3] temporary file path: '.', filesystem type: overlayfs",
      "stress-ng: debug: [3] 2 processors online, 2 processors configured",
      "stress-ng: debug: [3] main: can't set oom_score_adj",
      "stress-ng: info:  [3] setting to a 3 second run per stressor",
      "stress-ng: info:  [3] dispatching hogs: 1 vm",
      "stress-ng: debug: [3] cache allocate: shared cache buffer size: 32768K",
      "stress-ng: debug: [3] starting stressors",
      "stress-ng: debug: [3] 1 stressor started",
      "stress-ng: debug: [4] vm: started [4] (instance 0)",
      "stress-ng: debug: [4] vm: using method 'all'",
      "stress-ng: debug: [4] vm: exited [4] (instance 0)",
      "stress-ng: debug: [3] process [4] terminated",
      "stress-ng: metrc: [3] stressor       bogo ops real time  usr time  sys time   bogo ops/s     bogo ops/s CPU "
      "used per       RSS Max",
      "stress-ng: metrc: [3]                           (secs)    (secs)    (secs)   (real time) (usr+sys time) "
      "instance (%)          (KB)",
      "stress-ng: metrc: [3] vm                70900      3.19      0.89      0.19     22219.51       65538.73        "
      "33.90         67900",
      "stress-ng: debug: [3] metrics-check: all stressor metrics validated and sane",
      "stress-ng: info:  [3] successful run completed in 3.19s",
  };
}

const std::vector<LimitCheck>& checks_of_two_cpus() {
  static const std::vector<LimitCheck> checks = limit_checks(2);
  return checks;
}

const LimitCheck& memory_observer_check() {
  const LimitCheck* found = find_limit_check(checks_of_two_cpus(), "memory-stress-ng");
  if (found == nullptr) throw std::runtime_error("no check memory-stress-ng");
  return *found;
}

// Under 32 MiB: stress-ng printed `lines` and exited 0; the cgroup counted `oom_kills` and peaked at `peak`.
Observation observed(std::vector<std::string> lines, std::uint64_t oom_kills, std::uint64_t peak) {
  Observation seen;
  seen.host.memory_limit_bytes = 32 * mib;
  seen.host.memory_peak_bytes = peak;
  seen.host.oom_kills = oom_kills;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.output = std::move(lines);
  return seen;
}

std::map<std::string, reports::Verdict> judged(const Observation& seen) {
  std::map<std::string, reports::Verdict> verdicts;
  for (auto& verdict : judge_memory_stress_ng(memory_observer_check(), seen)) verdicts[verdict.check] = verdict;
  EXPECT_EQ(verdicts.size(), 2U);
  return verdicts;
}

constexpr const char* oom_check = "memory.oom_kill.stress-ng";
constexpr const char* peak_check = "memory.peak_within_limit.stress-ng";

TEST(LimitsStressNgMemory, ParsesTheOneOomKillOfARealRun) {
  const StressNgKillReport report = parse_stress_ng_kills(killed_lines(), "vm");
  EXPECT_EQ(report.oom_kills, 1U);
  EXPECT_TRUE(report.completed);
  EXPECT_EQ(report.run_s, 0.22);
  EXPECT_EQ(report.max_rss_kb, 30072.0);
  EXPECT_TRUE(report.problems.empty());
  EXPECT_EQ(parse_stress_ng_kills(killed_lines(), "vm-addr").oom_kills, 0U);  // another stressor's name
}

TEST(LimitsStressNgMemory, ParsesARunNoLimitStopped) {
  const StressNgKillReport report = parse_stress_ng_kills(unlimited_lines(), "vm");
  EXPECT_EQ(report.oom_kills, 0U);
  EXPECT_TRUE(report.completed);
  EXPECT_EQ(report.run_s, 3.19);
  EXPECT_EQ(report.max_rss_kb, 67900.0);
}

// Without --oomable stress-ng restarts the killed child (13 times in 2 s of the same run): every one counts.
TEST(LimitsStressNgMemory, WithoutOomableEveryRestartIsAKill) {
  const std::vector<std::string> restarts = {
      "stress-ng: debug: [3] vm: child died: signal 9 'SIGKILL' (instance 0)",
      "stress-ng: debug: [3] vm: assuming killed by OOM killer, restarting again (instance 0)",
      "stress-ng: debug: [3] vm: child died: signal 9 'SIGKILL' (instance 0)",
      "stress-ng: debug: [3] vm: assuming killed by OOM killer, restarting again (instance 0)",
      "stress-ng: info:  [2] successful run completed in 2.10s"};
  EXPECT_EQ(parse_stress_ng_kills(restarts, "vm").oom_kills, 2U);
}

// --metrics-brief's table has no RSS Max column (the same run with it instead of --metrics).
TEST(LimitsStressNgMemory, BriefMetricsGiveNoResidentSet) {
  const std::vector<std::string> brief = {
      "stress-ng: metrc: [2] stressor       bogo ops real time  usr time  sys time   bogo ops/s     bogo ops/s",
      "stress-ng: metrc: [2]                           (secs)    (secs)    (secs)   (real time) (usr+sys time)",
      "stress-ng: metrc: [2] vm                    0      0.23      0.00      0.05         0.00           0.00"};
  EXPECT_FALSE(parse_stress_ng_kills(brief, "vm").max_rss_kb);
}

TEST(LimitsStressNgMemory, KeepsStressNgsFailuresAndErrors) {
  const StressNgKillReport report =
      parse_stress_ng_kills({"stress-ng: error: [7] vm: mmap failed", "vm: not stress-ng's logger"}, "vm");
  ASSERT_EQ(report.problems.size(), 1U);
  EXPECT_FALSE(report.completed);
}

TEST(LimitsStressNgMemory, IsAnObserverCaseUnderTheMemoryChecksLimit) {
  const LimitCheck& check = memory_observer_check();
  EXPECT_EQ(check.observer, "stress-ng");
  EXPECT_EQ(check.limits.memory_bytes, 32 * mib);
  EXPECT_EQ(check.limits.memory_bytes, find_limit_check(checks_of_two_cpus(), "memory")->limits.memory_bytes);
  EXPECT_EQ(check.workload, "/bin/sh");
  const std::string& script = check.workload_args.at(1);
  for (const char* said : {"/usr/bin/stress-ng --vm 1 --vm-bytes 64M --vm-keep --oomable --timeout 3", "2>&1"})
    EXPECT_NE(script.find(said), std::string::npos) << script;
}

TEST(LimitsStressNgMemory, AllThreeSidesAgreeOnOneKillWithinTheLimit) {
  const auto verdicts = judged(observed(killed_lines(), 1, 32 * mib));
  const reports::Verdict& oom = verdicts.at(oom_check);
  EXPECT_TRUE(oom.pass) << oom.why;
  EXPECT_EQ(std::get<double>(*oom.measured), 1.0);
  for (const char* said :
       {"stress-ng reported its vm stressor killed by the OOM killer 1 time", "the cgroup counted 1", "they agree"})
    EXPECT_NE(oom.why.find(said), std::string::npos) << oom.why;
  const reports::Verdict& peak = verdicts.at(peak_check);
  EXPECT_TRUE(peak.pass) << peak.why;
  EXPECT_EQ(std::get<double>(*peak.measured), 32.0);
  EXPECT_NE(peak.why.find("stress-ng's own RSS Max 29.4 MiB of the 64 MiB it asked for"), std::string::npos)
      << peak.why;
}

TEST(LimitsStressNgMemory, TheCgroupCountingAnotherKillDisagrees) {
  const reports::Verdict oom = judged(observed(killed_lines(), 2, 32 * mib)).at(oom_check);
  EXPECT_FALSE(oom.pass);
  EXPECT_NE(oom.why.find("disagree: stress-ng 1, the cgroup 2"), std::string::npos) << oom.why;
  EXPECT_NE(oom.why.find("2 OOM kills, not 1"), std::string::npos) << oom.why;
}

// The cgroup saw a kill stress-ng did not report (e.g. its own process, not the stressor's child).
TEST(LimitsStressNgMemory, AKillStressNgDidNotReportDisagrees) {
  std::vector<std::string> lines = killed_lines();
  std::erase_if(lines, [](const std::string& line) { return line.find("assuming killed") != std::string::npos; });
  const reports::Verdict oom = judged(observed(lines, 1, 32 * mib)).at(oom_check);
  EXPECT_FALSE(oom.pass);
  EXPECT_NE(oom.why.find("disagree: stress-ng 0, the cgroup 1"), std::string::npos) << oom.why;
}

TEST(LimitsStressNgMemory, APeakOverTheLimitOrNoLimitReadBackFails) {
  Observation seen = observed(killed_lines(), 1, 32 * mib + 4096);
  EXPECT_FALSE(judged(seen).at(peak_check).pass);
  EXPECT_TRUE(judged(seen).at(oom_check).pass);
  seen.host.memory_peak_bytes = 31 * mib;
  seen.host.memory_limit_bytes.reset();
  const reports::Verdict peak = judged(seen).at(peak_check);
  EXPECT_FALSE(peak.pass);
  EXPECT_NE(peak.why.find("no memory limit"), std::string::npos) << peak.why;
}

TEST(LimitsStressNgMemory, WithoutTheLimitNothingIsKilledAndBothFail) {
  Observation seen = observed(unlimited_lines(), 0, 70 * mib);
  seen.limit_applied = false;
  seen.host.memory_limit_bytes.reset();
  const auto verdicts = judged(seen);
  for (const auto& [name, verdict] : verdicts) {
    EXPECT_FALSE(verdict.pass) << name;
    EXPECT_NE(verdict.why.find("--limits-off"), std::string::npos) << verdict.why;
  }
  EXPECT_NE(verdicts.at(oom_check).why.find("killed by the OOM killer 0 times and completed in 3.19 s of its 3 s"),
            std::string::npos)
      << verdicts.at(oom_check).why;
  EXPECT_NE(verdicts.at(peak_check).why.find("RSS Max 66.3 MiB of the 64 MiB it asked for: it held them all"),
            std::string::npos)
      << verdicts.at(peak_check).why;
}

// stress-ng itself killed (its main, not the stressor's child): no completed run, said with how it ended.
TEST(LimitsStressNgMemory, StressNgKilledItselfFailsSayingHow) {
  const std::vector<std::string> lines = killed_lines();
  Observation seen = observed({lines.begin(), lines.begin() + 12}, 1, 32 * mib);
  seen.workload.exit_code = 137;
  const reports::Verdict oom = judged(seen).at(oom_check);
  EXPECT_FALSE(oom.pass);
  EXPECT_NE(oom.why.find("no completed run"), std::string::npos) << oom.why;
  EXPECT_NE(oom.why.find("exited 137"), std::string::npos) << oom.why;
}

}  // namespace
}  // namespace benchrun::harness
