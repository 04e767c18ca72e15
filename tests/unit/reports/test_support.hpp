// Helpers for the reports tests: a temporary directory that removes itself, a report with every field
// set, and running a command to read its output.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::reports::testing {

class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A report of a small interrupted run: two backends, ok and failed samples, a summary with a ratio, every
// optional present in at least one place and absent in another.
Report example_report();

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
CommandResult run_command(const std::vector<std::string>& argv);

// The newline-terminated lines of `text`, without their newlines (an unterminated tail is left out).
std::vector<std::string> lines_of(const std::string& text);

// Names of the files in `directory`, sorted.
std::vector<std::string> file_names(const std::filesystem::path& directory);

}  // namespace benchrun::reports::testing
