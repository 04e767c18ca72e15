// Running a program for the tests: its exit code and all it printed, without a shell in between.
#include "tests/support/run_command.hpp"

#include <gtest/gtest.h>

namespace benchrun::testing {
namespace {

TEST(RunCommand, ReturnsTheExitCodeAndStdoutWithStderrInOrder) {
  const CommandResult result = run_command({"sh", "-c", "echo one; echo two >&2; echo three; exit 3"});
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "one\ntwo\nthree\n");
  EXPECT_EQ(result.err, "");
}

TEST(RunCommand, PassesArgumentsAsTheyAreWithoutAShell) {
  const CommandResult result = run_command({"printf", "%s|", "it's", "$HOME", "a b"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "it's|$HOME|a b|");
}

TEST(RunCommand, AProgramKilledBySignalExits128PlusTheSignal) {
  EXPECT_EQ(run_command({"sh", "-c", "kill -9 $$"}).exit_code, 128 + 9);
}

TEST(RunCommand, AMissingProgramExits127NamingIt) {
  const CommandResult result = run_command({"benchrun-no-such-program"});
  EXPECT_EQ(result.exit_code, 127);
  EXPECT_NE(result.out.find("benchrun-no-such-program"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace benchrun::testing
