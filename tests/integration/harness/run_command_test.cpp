// `benchrun run --backend container -- CMD`, as a person would type it.
#include <gtest/gtest.h>

#include <algorithm>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

class RunCommand : public LeakCheckedTest {};

TEST_F(RunCommand, PrintsExactlyWhatTheWorkloadPrintsAndReturnsItsStatus) {
  const auto echo = run_benchrun({"run", "--backend", "container", "--", "/bin/echo", "hi"});
  EXPECT_EQ(echo.exit_code, 0) << echo.err;
  EXPECT_EQ(echo.out, "hi\n");
  EXPECT_EQ(echo.err, "");

  const auto failing = run_benchrun({"run", "--", "sh", "-c", "exit 7"});
  EXPECT_EQ(failing.exit_code, 7) << failing.err;
  EXPECT_EQ(failing.out, "");
  EXPECT_EQ(failing.err, "");
}

TEST_F(RunCommand, WorkloadStderrStaysOnStderr) {
  const auto result = run_benchrun({"run", "--", "sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "out\n");
  EXPECT_EQ(result.err, "err\n");
}

TEST_F(RunCommand, PartialLineAndRawBytesArriveUnchanged) {
  const auto result = run_benchrun({"run", "--", "sh", "-c", "printf 'no newline\\001\\377'"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "no newline\001\377");
  EXPECT_EQ(result.err, "");
}

TEST_F(RunCommand, StdoutAndStderrKeepTheirOrderOnOneFile) {
  const auto result = run_benchrun_combined({"run", "--", "sh", "-c", "echo 1; echo 2 >&2; printf 3; echo 4 >&2"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "1\n2\n34\n");
}

TEST_F(RunCommand, StdinReachesTheWorkload) {
  const auto result = run_benchrun({"run", "--", "cat"}, "line\npartial");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "line\npartial");
}

TEST_F(RunCommand, OnATerminalTheWorkloadHasTheTerminal) {
  const auto result =
      run_benchrun_on_terminal({"run", "--", "sh", "-c", "test -t 0 && test -t 1 && test -t 2 && echo tty"});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_EQ(result.out, "tty\r\n");  // the terminal turns \n into \r\n
}

TEST_F(RunCommand, VerboseShowsTheProtocolLinesOnStderrOnly) {
  const auto result = run_benchrun({"run", "--verbose", "--", "sh", "-c", "echo hi; echo oops >&2; exit 5"});
  EXPECT_EQ(result.exit_code, 5);
  EXPECT_EQ(result.out, "hi\n");
  ASSERT_TRUE(result.err.starts_with("BENCHRUN READY\noops\nBENCHRUN RESULT {\"exit_code\":5,")) << result.err;
  EXPECT_TRUE(result.err.ends_with("}\n")) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 3) << result.err;
}

TEST_F(RunCommand, SetsTheHostnameAndHidesTheHostNetwork) {
  const auto result = run_benchrun({"run", "--hostname", "box", "--", "sh", "-c", "hostname; ls /sys/class/net"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("box\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("lo\n"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("eth"), std::string::npos) << result.out;
}

TEST_F(RunCommand, OomKillIsSaidInOneLineAndExitsWithTheSignal) {
  const auto result = run_benchrun({"run", "--memory", "64M", "--", "hog", "256"});
  EXPECT_EQ(result.exit_code, 128 + 9) << result.err;
  EXPECT_NE(result.err.find("benchrun: OOM-killed: memory limit 64M\n"), std::string::npos) << result.err;
}

TEST_F(RunCommand, LeavesNoCgroupDirectoryBehindNotEvenTheSharedParent) {
  ASSERT_EQ(run_benchrun({"run", "--", "hello"}).exit_code, 0);
  std::error_code ignored;
  for (const auto& hierarchy : std::filesystem::directory_iterator("/sys/fs/cgroup", ignored)) {
    EXPECT_FALSE(std::filesystem::exists(hierarchy.path() / "benchrun")) << hierarchy.path();
  }
}

TEST_F(RunCommand, UnknownCommandIsABadInput) {
  const auto result = run_benchrun({"run", "--", "nosuchprogram"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("'nosuchprogram' is not in image"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace benchrun::testing
