// Helpers for the reports tests: a report with every field set, and reading back lines and folders.
// (Temporary folders and running commands: tests/support.)
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::reports::testing {

// A report of a small interrupted run: two backends, ok and failed samples, a summary with a ratio, every
// optional present in at least one place and absent in another.
Report example_report();

// The newline-terminated lines of `text`, without their newlines (an unterminated tail is left out).
std::vector<std::string> lines_of(const std::string& text);

// Names of the files in `directory`, sorted.
std::vector<std::string> file_names(const std::filesystem::path& directory);

}  // namespace benchrun::reports::testing
