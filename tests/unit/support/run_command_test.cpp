// Running a program for the tests: its exit code and all it printed, without a shell in between.
#include "tests/support/run_command.hpp"

#include <gtest/gtest.h>

namespace benchrun::testing {
namespace {

TEST(RunCommand, ReturnsTheExitCodeAndStdoutWithStderrInOrder) {
  EXPECT_EQ(run_command({"sh", "-c", "echo one; echo two >&2; echo three; exit 3"}),
            (CommandResult{3, "one\ntwo\nthree\n", ""}));
}

TEST(RunCommand, PassesArgumentsAsTheyAreWithoutAShell) {
  EXPECT_EQ(run_command({"printf", "%s|", "it's", "$HOME", "a b"}), (CommandResult{0, "it's|$HOME|a b|", ""}));
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
