// `benchrun run --backend container -- CMD`, as a person would type it.
#include <gtest/gtest.h>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

class RunCommand : public LeakCheckedTest {};

TEST_F(RunCommand, RunsTheWorkloadUnderBenchinitAndReturnsItsStatus) {
  const auto hello = run_benchrun({"run", "--backend", "container", "--", "hello"});
  EXPECT_EQ(hello.exit_code, 0) << hello.err;
  EXPECT_NE(hello.out.find("BENCHRUN READY\n"), std::string::npos) << hello.out;
  EXPECT_NE(hello.out.find("BENCHRUN RESULT {"), std::string::npos) << hello.out;

  const auto failing = run_benchrun({"run", "--", "sh", "-c", "exit 7"});
  EXPECT_EQ(failing.exit_code, 7) << failing.err;
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
