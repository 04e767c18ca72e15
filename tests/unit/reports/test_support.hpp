// Helpers for the reports tests (and others that need a report): a report with every field set, schema
// validation, and reading back lines and folders.
// (Temporary folders and running commands: tests/support.)
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::reports::testing {

// A report of a small interrupted run: two backends, ok and failed samples, a summary with a ratio, every
// optional present in at least one place and absent in another.
// Its content is that of tests/unit/reports/fixtures/report_v1.json, which the v1 writer made of it.
Report example_report();

// example_report with what only v2 carries: a workload metric (higher is better), a passed and a failed
// verdict, and a series.
Report example_report_with_checks();

// "" when `document` (report JSON text) validates against reports/schema/report.schema.json, else the
// validator's complaint. The validator is Python's jsonschema (Debian python3-jsonschema), independent of the
// C++ writer; a missing one is a complaint too, so a test fails instead of skipping.
std::string schema_complaint(const std::string& document);

// The text of a file in tests/unit/reports/fixtures/.
std::string fixture_text(const std::string& name);

// The newline-terminated lines of `text`, without their newlines (an unterminated tail is left out).
std::vector<std::string> lines_of(const std::string& text);

// Names of the files in `directory`, sorted.
std::vector<std::string> file_names(const std::filesystem::path& directory);

}  // namespace benchrun::reports::testing
