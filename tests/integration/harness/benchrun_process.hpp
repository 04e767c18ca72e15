// Runs the real benchrun executable as a user would, capturing its exit code, stdout and stderr.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::testing {

std::filesystem::path benchrun_executable();
// stdout and stderr captured apart; stdin reads `stdin_text`.
CommandResult run_benchrun(const std::vector<std::string>& args, const std::string& stdin_text = "");
// benchrun refusing bad input as a user sees it: exit code 2, nothing on stdout, one line on stderr (checked
// with EXPECT); returns that line.
std::string refusal_of(const std::vector<std::string>& args);
// stdout and stderr into one file (`out`), as a terminal would show them: their order is kept.
CommandResult run_benchrun_combined(const std::vector<std::string>& args);
// stdin, stdout and stderr on a new pseudo-terminal; `out` is what the terminal received.
CommandResult run_benchrun_on_terminal(const std::vector<std::string>& args);

// Every benchrun cgroup dir (the peers' too), crun/runc container named benchrun-*, /run/benchrun entry, vm run folder
// (/var/lib/benchrun/runs), benchrun mount, loop device over a benchrun-loop-* file and QEMU of a benchrun guest on
// this machine, as text, for leak checks ("" when none).
std::string benchrun_leftovers();

std::string read_text(const std::filesystem::path& path);

// A test that must find the machine free of benchrun leftovers before it starts and leave it so.
class LeakCheckedTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(benchrun_leftovers(), "") << "a previous test leaked"; }
  void TearDown() override { EXPECT_EQ(benchrun_leftovers(), "") << "this test leaked"; }
};

// "" when the report validates against reports/schema/report.schema.json, else the validator's complaint.
// Uses Debian's python3-jsonschema; a missing validator is a complaint too (the test fails, never skips).
std::string validate_against_schema(const std::filesystem::path& report);

// Starts benchrun with `args`, waits until it runs an instance (a benchrun_leftovers() line starting
// with `kind`: "cgroup ", "qemu ", "loop "), at most `patience`, then SIGKILLs benchrun alone, leaving its
// instance behind.
void start_and_kill(const std::vector<std::string>& args, const std::string& kind = "cgroup ",
                    std::chrono::milliseconds patience = std::chrono::seconds(30));

}  // namespace benchrun::testing
