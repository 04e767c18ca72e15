// The pure parts of judging vm+container inside its guest: the inner benchrun's command line (parsed by the
// same CLI the guest's benchrun has), the guest's size for a case, and what the host adopts from the inner report.
#include "harness/suites/in_guest_suite.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <variant>

#include "harness/cli.hpp"
#include "harness/suites/limits_checks.hpp"

namespace benchrun::harness {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

SuiteOptions parse_suite(std::vector<std::string> args) {
  args.insert(args.begin(), "benchrun");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  Command command = parse_command_line(static_cast<int>(argv.size()), argv.data());
  return std::get<SuiteOptions>(command);
}

TEST(InGuestSuite, TheInnerCommandRunsTheStepsOneCaseOnTheContainerBackendIntoResults) {
  const auto args =
      in_guest_suite_args("limits", "memory", std::chrono::milliseconds(30'500), {"--limits-off", "memory"});
  const SuiteOptions inner = parse_suite(args);
  EXPECT_EQ(inner.suite, "limits");
  EXPECT_THAT(inner.backends, ElementsAre("container"));
  ASSERT_EQ(inner.cases.size(), 1U);
  EXPECT_EQ(inner.cases.front().name, "memory");
  EXPECT_EQ(inner.out_dir, "/results");
  EXPECT_EQ(inner.image.dir(), "/images/default");
  EXPECT_EQ(inner.timeout, std::chrono::seconds(31)) << "rounded up, never shorter than the outer";
  EXPECT_EQ(inner.runs, 1);
  EXPECT_EQ(inner.warmup, 0);
  EXPECT_TRUE(inner.quiet);
  EXPECT_THAT(inner.limits_off, ElementsAre("memory"));
  for (const auto& arg : args) EXPECT_NE(arg, "--") << "the guest kernel ends init's arguments at a second --";
}

TEST(InGuestSuite, TheIsolationFlagsReachTheInnerRun) {
  const SuiteOptions inner = parse_suite(in_guest_suite_args("isolation", "probe", std::chrono::seconds(60),
                                                             {"--isolation-off", "pid-ns,uts-ns", "--user-namespace"}));
  EXPECT_THAT(inner.isolation.off, ElementsAre("pid-ns", "uts-ns"));
  EXPECT_TRUE(inner.isolation.user_namespace);
  ASSERT_EQ(inner.cases.size(), 1U);
  EXPECT_EQ(inner.cases.front().name, "probe");
}

TEST(InGuestSuite, CasesPicksTheNamedCasesAndRefusesUnknownOnes) {
  const SuiteOptions some = parse_suite({"--suite", "limits", "--backends", "container", "--cases", "pids,memory"});
  std::vector<std::string> names;
  for (const auto& each : some.cases) names.push_back(each.name);
  EXPECT_THAT(names, ElementsAre("memory", "pids")) << "in the suite's order";
  try {
    parse_suite({"--suite", "limits", "--cases", "memroy"});
    FAIL() << "an unknown case was accepted";
  } catch (const UsageError& error) {
    EXPECT_THAT(error.what(), HasSubstr("memroy"));
    EXPECT_THAT(error.what(), HasSubstr("cpu-quota"));
  }
  EXPECT_THROW(parse_suite({"--suite", "limits", "--cases", ","}), UsageError);
}

TEST(InGuestSuite, TheGuestHoldsTheCasesLimitsAndTwoCpusForACpuset) {
  reports::Limits cpuset;
  cpuset.cpuset_cpus = "63";
  EXPECT_EQ(in_guest_limits(cpuset).cpuset_cpus, "1");
  reports::Limits memory;
  memory.memory_bytes = 32U << 20U;
  memory.cpus = 0.25;
  const reports::Limits kept = in_guest_limits(memory);
  EXPECT_EQ(kept.memory_bytes, memory.memory_bytes);
  EXPECT_EQ(kept.cpus, memory.cpus);
  EXPECT_FALSE(kept.cpuset_cpus);
}

reports::Verdict verdict_of(std::string check, std::string case_name, bool pass) {
  reports::Verdict verdict;
  verdict.check = std::move(check);
  verdict.backend = "container";
  verdict.case_name = std::move(case_name);
  verdict.pass = pass;
  verdict.why = "measured";
  verdict.measured = 1.0;
  return verdict;
}

TEST(InGuestSuite, TheInnerVerdictsAndSamplesOfTheCaseAreAdoptedAsTheBackendsSayingWhere) {
  reports::Report inner;
  inner.complete = true;
  inner.verdicts = {verdict_of("memory.oom_kill", "memory", true),
                    verdict_of("memory.peak_within_limit", "memory", false), verdict_of("pids.max", "pids", true)};
  reports::Sample sample;
  sample.backend = "container";
  sample.case_name = "memory";
  sample.ok = true;
  sample.metrics["hog_signal"] = 9;
  inner.samples = {sample};
  inner.warnings = {"container: memory ran without its limit (--limits-off): its verdicts must fail"};
  inner.errors = {"container: memory.peak_within_limit: measured", "samples: 1 failed"};

  const AdoptedRun adopted = adopt_inner_report(inner, "vm+container", "memory", "inside the guest (cgroup v2)");
  EXPECT_EQ(adopted.missing, "");
  ASSERT_EQ(adopted.verdicts.size(), 2U);
  for (const auto& verdict : adopted.verdicts) {
    EXPECT_EQ(verdict.backend, "vm+container");
    EXPECT_THAT(verdict.why, HasSubstr("[inside the guest (cgroup v2)]"));
  }
  EXPECT_TRUE(adopted.verdicts[0].pass);
  EXPECT_FALSE(adopted.verdicts[1].pass) << "a failing inner verdict stays failing";
  ASSERT_EQ(adopted.samples.size(), 1U);
  EXPECT_EQ(adopted.samples[0].backend, "vm+container");
  EXPECT_EQ(adopted.samples[0].metrics.at("hog_signal"), 9);
  // The failed verdict's own error line is the outer run's to say, from the adopted verdict.
  EXPECT_THAT(adopted.notes, ElementsAre(HasSubstr("vm+container guest: container: memory ran without its limit"),
                                         "vm+container guest: samples: 1 failed"));
}

TEST(InGuestSuite, AnInnerReportWithoutTheCasesVerdictsSaysWhy) {
  reports::Report inner;
  inner.complete = false;
  inner.verdicts = {verdict_of("pids.max", "pids", true)};
  inner.errors = {"interrupted"};
  const AdoptedRun adopted = adopt_inner_report(inner, "vm+container", "memory", "inside");
  EXPECT_TRUE(adopted.verdicts.empty());
  EXPECT_THAT(adopted.missing, HasSubstr("judged nothing for case memory"));
  EXPECT_THAT(adopted.missing, HasSubstr("incomplete"));
  EXPECT_THAT(adopted.missing, HasSubstr("interrupted"));
}

TEST(InGuestSuite, TheChecksThatPrepareADiskGetTheGuestsScratchDisk) {
  for (const char* check : {"io-read-bps", "io-read-iops", "page-cache"})
    EXPECT_TRUE(needs_guest_scratch(check)) << check;
  for (const char* check : {"memory", "cpu-quota", "pids", "memory-swap", "no-such-check"})
    EXPECT_FALSE(needs_guest_scratch(check)) << check;
}

TEST(InGuestSuite, TheInnerRunTakesTheGuestsScratchFolder) {
  const SuiteOptions options = parse_suite(in_guest_suite_args("limits", "page-cache", std::chrono::seconds(150),
                                                               {"--scratch-dir", "/var/tmp/benchrun-scratch"}));
  EXPECT_EQ(options.overhead.scratch_dir, "/var/tmp/benchrun-scratch");
}

}  // namespace
}  // namespace benchrun::harness
