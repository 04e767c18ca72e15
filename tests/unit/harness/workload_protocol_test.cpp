#include "harness/workload_protocol.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace benchrun::harness {
namespace {

TEST(WorkloadProtocol, RecognisesReadyAndResultLinesExactly) {
  EXPECT_TRUE(is_ready_line("BENCHRUN READY"));
  EXPECT_FALSE(is_ready_line("BENCHRUN READY now"));
  EXPECT_FALSE(is_ready_line("[    0.1] BENCHRUN READY"));
  EXPECT_TRUE(is_result_line("BENCHRUN RESULT {}"));
  EXPECT_FALSE(is_result_line("BENCHRUN RESULTS"));
}

TEST(WorkloadProtocol, ParsesAResultWithAnExitCode) {
  // Without "metrics", as a benchinit older than workload metrics writes it.
  const auto result = parse_result_line(
      R"(BENCHRUN RESULT {"exit_code":3,"signal":null,"wall_ns":1500000,"user_us":10,"sys_us":20,"max_rss_kb":900})");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_FALSE(result.signal.has_value());
  EXPECT_EQ(result.wall_ns, 1'500'000);
  EXPECT_EQ(result.user_us, 10);
  EXPECT_EQ(result.sys_us, 20);
  EXPECT_EQ(result.max_rss_kb, 900);
  EXPECT_TRUE(result.metrics.empty());
  EXPECT_EQ(describe(std::optional(result)), "exit code 3");
}

TEST(WorkloadProtocol, ParsesTheWorkloadsMetrics) {
  const auto result = parse_result_line(
      R"(BENCHRUN RESULT {"exit_code":0,"signal":null,"wall_ns":1,"user_us":0,"sys_us":0,"max_rss_kb":0,)"
      R"("metrics":[{"name":"spin_rate","value":2.5e7,"unit":"iterations/s","better":"higher"},)"
      R"({"name":"latency","value":0.5,"unit":"us","better":"lower"}]})");
  ASSERT_EQ(result.metrics.size(), 2U);
  EXPECT_EQ(result.metrics[0], (reports::WorkloadMetric{"spin_rate", 2.5e7, "iterations/s", reports::Better::higher}));
  EXPECT_EQ(result.metrics[1].better, reports::Better::lower);
}

TEST(WorkloadProtocol, AWorkloadMetricNamedLikeOneOfBenchrunsIsAnError) {
  try {
    parse_result_line(R"(BENCHRUN RESULT {"exit_code":0,"signal":null,"wall_ns":1,"user_us":0,"sys_us":0,)"
                      R"("max_rss_kb":0,"metrics":[{"name":"total_ms","value":1,"unit":"ms","better":"lower"}]})");
    FAIL() << "a workload metric took the name total_ms";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("total_ms"), std::string::npos) << error.what();
  }
}

TEST(WorkloadProtocol, ParsesAResultOfAKilledWorkload) {
  const auto result = parse_result_line(
      R"(BENCHRUN RESULT {"exit_code":null,"signal":9,"wall_ns":1,"user_us":0,"sys_us":0,"max_rss_kb":0,"metrics":[]})");
  EXPECT_FALSE(result.exit_code.has_value());
  EXPECT_EQ(result.signal, SIGKILL);
  EXPECT_EQ(describe(std::optional(result)), "killed by SIGKILL");
}

TEST(WorkloadProtocol, MalformedResultIsAnErrorQuotingTheText) {
  try {
    parse_result_line("BENCHRUN RESULT {\"exit_code\":");
    FAIL() << "accepted malformed JSON";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("malformed BENCHRUN RESULT"), std::string::npos);
  }
  EXPECT_THROW(parse_result_line(R"(BENCHRUN RESULT {"exit_code":0})"), sys::Error);
}

TEST(WorkloadProtocol, DiagnosticsContributeTheirLastLine) {
  EXPECT_EQ(with_diagnostics(""), "");
  EXPECT_EQ(with_diagnostics("first\nsecond"), ": second");
}

TEST(WorkloadProtocol, PhasesLineRoundTripsInOrder) {
  const std::vector<std::pair<std::string, double>> phases{
      {"prepared", 0.25}, {"cloned", 0.5}, {"cgroup_ready", 1.125}, {"mounts_done", 3.0}, {"exec", 3.5}};
  const std::string line = format_phases_line(phases);
  EXPECT_EQ(line, "BENCHRUN PHASES prepared=0.250 cloned=0.500 cgroup_ready=1.125 mounts_done=3.000 exec=3.500");
  EXPECT_TRUE(is_phases_line(line));
  EXPECT_EQ(parse_phases_line(line), phases);
}

TEST(WorkloadProtocol, PhasesLineMayBeEmptyAndIsNotAResultLine) {
  EXPECT_TRUE(parse_phases_line("BENCHRUN PHASES ").empty());
  EXPECT_FALSE(is_result_line("BENCHRUN PHASES cloned=1"));
  EXPECT_FALSE(is_phases_line("BENCHRUN RESULT {}"));
  EXPECT_FALSE(is_phases_line("BENCHRUN PHASESX"));
}

TEST(WorkloadProtocol, PhasesLineRefusesMalformedWords) {
  for (const char* line : {"BENCHRUN PHASES cloned", "BENCHRUN PHASES cloned=", "BENCHRUN PHASES =1",
                           "BENCHRUN PHASES cloned=1ms", "BENCHRUN PHASES cloned=-1", "BENCHRUN PHASES cloned=nan",
                           "BENCHRUN PHASES cloned=inf", "BENCHRUN PHASES Cloned=1", "BENCHRUN PHASES c-d=1",
                           "BENCHRUN PHASES cloned=1 cloned=2", "BENCHRUN RESULT {}"}) {
    EXPECT_THROW(parse_phases_line(line), sys::Error) << line;
  }
}

}  // namespace
}  // namespace benchrun::harness
