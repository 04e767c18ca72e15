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
  const auto result = parse_result_line(
      R"(BENCHRUN RESULT {"exit_code":3,"signal":null,"wall_ns":1500000,"user_us":10,"sys_us":20,"max_rss_kb":900})");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_FALSE(result.signal.has_value());
  EXPECT_EQ(result.wall_ns, 1'500'000);
  EXPECT_EQ(result.user_us, 10);
  EXPECT_EQ(result.sys_us, 20);
  EXPECT_EQ(result.max_rss_kb, 900);
  EXPECT_EQ(describe(std::optional(result)), "exit code 3");
}

TEST(WorkloadProtocol, ParsesAResultOfAKilledWorkload) {
  const auto result = parse_result_line(
      R"(BENCHRUN RESULT {"exit_code":null,"signal":9,"wall_ns":1,"user_us":0,"sys_us":0,"max_rss_kb":0})");
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

}  // namespace
}  // namespace benchrun::harness
