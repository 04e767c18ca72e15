// Runs a program to completion and returns its exit code and everything it printed.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace benchrun::testing {

// What a finished program left: its exit code and what it printed.
struct CommandResult {
  int exit_code = -1;  // 128 + signal number when killed by a signal (run_command)
  std::string out;     // stdout, or stdout and stderr together in the order written where both go to one place
  std::string err;     // stderr where it was captured apart, else ""

  // Tests compare a whole result at once: EXPECT_EQ(result, (CommandResult{3, "out\n", "err\n"})).
  bool operator==(const CommandResult&) const = default;
};

// For gtest's failure messages: the exit code and both outputs, quoted.
void PrintTo(const CommandResult& result, std::ostream* out);

// stdout and stderr together into `out`. argv[0] is looked up in PATH; no shell is involved. A program that cannot be
// started exits 127, as under a shell.
CommandResult run_command(const std::vector<std::string>& argv);

}  // namespace benchrun::testing
