// What `benchrun compare` and `benchrun --suite S --baseline FILE` share: the baseline checked before a run, and a
// comparison printed and written to its outputs.
#pragma once

#include <filesystem>
#include <optional>

#include "harness/cli.hpp"
#include "reports/model.hpp"
#include "stats/comparison_render.hpp"

namespace benchrun::harness {

// The baseline of a suite run, read and checked before anything is measured: a report this benchrun reads, of the
// run's suite, with measured ok samples of a backend and case the run measures. Throws UsageError naming the fix.
reports::Report read_baseline_for_suite(const std::filesystem::path& file, const SuiteOptions& options);

// Prints `report` (the whole table, or with `counts_only` its last line) and writes each output asked for, all of
// them checked first so that a bad one leaves every file as it was. exit_failure when a row regressed, else exit_ok.
// Throws UsageError naming an output that cannot be written.
int print_and_write_comparison(const stats::ComparisonReport& report, const ComparisonOutputs& outputs,
                               bool counts_only = false);

// After a suite run: `report` (written at `report_path`) against the baseline read before the run, if there is one;
// prints the table (only its counts when `quiet`) and writes comparison.json and comparison.html beside report.json.
// exit_ok without a baseline, else what print_and_write_comparison returns; throws UsageError when the two share no
// row.
int compare_with_baseline(const std::optional<reports::Report>& baseline, const std::filesystem::path& baseline_file,
                          const reports::Report& report, const std::filesystem::path& report_path, bool quiet);

}  // namespace benchrun::harness
