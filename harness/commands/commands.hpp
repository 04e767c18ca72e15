// The commands benchrun offers; each returns the process exit code.
#pragma once

#include <filesystem>

#include "harness/cli.hpp"
#include "harness/stop_signal.hpp"
#include "reports/history.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;  // the run finished but something in it failed
inline constexpr int exit_usage = 2;    // bad input: nothing was measured
inline constexpr int exit_interrupted = 130;

// benchrun --suite S: measures, writes samples.jsonl and report.json, prints the table.
int run_suite(const SuiteOptions& options, StopSignal& stop);
// benchrun run: one command in one instance; exit status is the workload's (128+signal when killed).
int run_one(const RunCommandOptions& options, StopSignal& stop);
// benchrun doctor: what this host can measure, with the fix for what it cannot.
int run_doctor(const DoctorCommand& options, StopSignal& stop);
// benchrun cleanup: removes what killed runs left behind.
int run_cleanup(const CleanupCommand& options);
// benchrun report FILE: the summary table of a report.json again. Throws UsageError when FILE is no
// report this benchrun reads.
int run_report(const ReportCommand& options);
// benchrun compare BASELINE CURRENT: a table of changes; exit 1 when a metric regressed. Throws UsageError
// on bad input (a file that is no report, different suites, nothing in common).
int run_compare(const CompareCommand& options);
// benchrun trend HISTORY --html OUT: one line chart per metric over the last runs; a run whose report cannot be
// read is skipped with a warning. Throws UsageError when no run is left or OUT cannot be written.
int run_trend(const TrendCommand& options);
// benchrun baseline HISTORY --suite S: prints the id of the baseline run (nothing on a first run);
// --pin RUN: pins RUN as its suite's baseline. Throws UsageError on a history or pin it cannot use.
int run_baseline(const BaselineCommand& options);
// The runs of a history folder; throws UsageError naming the folder when it cannot be read.
std::vector<reports::HistoryRun> read_history_for_command(const std::filesystem::path& history);
// benchrun merge FILES --out DIR: one report of many hosts' reports of one suite. Throws UsageError on bad
// input (a file that is no report, different suites, a host name twice, an --out that cannot be written).
int run_merge(const MergeCommand& options);
// Creates an --out folder and proves it writable; throws UsageError naming it and the fix.
void prepare_out_dir(const std::filesystem::path& out_dir);
// The report at `file`; throws UsageError naming what is wrong with it and the fix.
reports::Report read_report_for_command(const std::filesystem::path& file);
// Writes report.html's page of `report` to `file` atomically. Throws Error naming the file.
void write_report_html(const reports::Report& report, const std::filesystem::path& file);
// Writes each export of `report` (after its report.json), printing where and any warnings on stderr.
void write_exports(const reports::Report& report, const std::vector<reports::ExportSpec>& exports);

}  // namespace benchrun::harness
