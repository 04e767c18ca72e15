// `benchrun run --backend container -- CMD`, as a person would type it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

class RunCommand : public LeakCheckedTest {};

TEST_F(RunCommand, PrintsExactlyWhatTheWorkloadPrintsAndReturnsItsStatus) {
  EXPECT_EQ(run_benchrun({"run", "--backend", "container", "--", "/bin/echo", "hi"}), (CommandResult{0, "hi\n", ""}));
  EXPECT_EQ(run_benchrun({"run", "--", "sh", "-c", "exit 7"}), (CommandResult{7, "", ""}));
}

TEST_F(RunCommand, WorkloadStderrStaysOnStderr) {
  EXPECT_EQ(run_benchrun({"run", "--", "sh", "-c", "echo out; echo err >&2; exit 3"}),
            (CommandResult{3, "out\n", "err\n"}));
}

TEST_F(RunCommand, PartialLineAndRawBytesArriveUnchanged) {
  EXPECT_EQ(run_benchrun({"run", "--", "sh", "-c", "printf 'no newline\\001\\377'"}),
            (CommandResult{0, "no newline\001\377", ""}));
}

TEST_F(RunCommand, StdoutAndStderrKeepTheirOrderOnOneFile) {
  EXPECT_EQ(run_benchrun_combined({"run", "--", "sh", "-c", "echo 1; echo 2 >&2; printf 3; echo 4 >&2"}),
            (CommandResult{0, "1\n2\n34\n", ""}));
}

TEST_F(RunCommand, StdinReachesTheWorkload) {
  EXPECT_EQ(run_benchrun({"run", "--", "cat"}, "line\npartial"), (CommandResult{0, "line\npartial", ""}));
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

// The host's network devices, one per line, sorted: what `ls /sys/class/net` shows in its network namespace.
std::string host_network_devices() {
  std::vector<std::string> names;
  for (const auto& device : std::filesystem::directory_iterator("/sys/class/net")) {
    names.push_back(device.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  std::string listing;
  for (const auto& name : names) listing += name + "\n";
  return listing;
}

TEST_F(RunCommand, EveryIsolationSwitchReachesTheContainer) {
  EXPECT_EQ(run_benchrun({"run", "--no-network-namespace", "--", "ls", "/sys/class/net"}),
            (CommandResult{0, host_network_devices(), ""}));
  EXPECT_EQ(run_benchrun({"run", "--user-namespace", "--", "cat", "/proc/self/uid_map"}),
            (CommandResult{0, "         0     100000      65536\n", ""}));
  EXPECT_EQ(run_benchrun({"run", "--", "grep", "^Seccomp:", "/proc/self/status"}),
            (CommandResult{0, "Seccomp:\t2\n", ""}));
  EXPECT_EQ(run_benchrun({"run", "--no-seccomp", "--", "grep", "^Seccomp:", "/proc/self/status"}),
            (CommandResult{0, "Seccomp:\t0\n", ""}));
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
