// benchrun compare BASELINE CURRENT [--json|--markdown|--html OUT]: one row per backend x case x start mode x metric
// the two reports share, with the ratio of medians, its bootstrap interval, the Mann-Whitney p-value and the
// verdict; warnings below; exit 1 when any metric regressed, so CI can gate on it. The same after a suite run with
// --baseline.
#include "harness/commands/compare.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "harness/commands/commands.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::harness {
namespace {

struct Output {
  const char* flag;
  std::filesystem::path file;
  std::function<std::string(const stats::ComparisonReport&)> render;
};

std::vector<Output> outputs_asked(const ComparisonOutputs& outputs) {
  std::vector<Output> asked;
  if (!outputs.json.empty()) asked.push_back({"--json", outputs.json, stats::comparison_to_json_text});
  if (!outputs.markdown.empty()) asked.push_back({"--markdown", outputs.markdown, stats::render_comparison_markdown});
  if (!outputs.html.empty()) asked.push_back({"--html", outputs.html, stats::render_comparison_html});
  return asked;
}

bool same_file(const std::filesystem::path& output, const std::string& input) {
  std::error_code error;
  return std::filesystem::equivalent(output, input, error);
}

// Whether the atomic write (a temp file in the same folder, renamed over the file) can work: the folder exists and
// takes new files, and the file is no folder and none of the reports compared. Checked for every output before any
// is written.
void require_writable(const Output& output, const stats::ComparisonReport& report) {
  const std::filesystem::path folder =
      output.file.parent_path().empty() ? std::filesystem::path(".") : output.file.parent_path();
  std::error_code error;
  std::string problem;
  if (!std::filesystem::is_directory(folder, error)) {
    problem = fmt::format("{} is no folder", folder.string());
  } else if (::access(folder.c_str(), W_OK) != 0) {
    problem = fmt::format("cannot write to {}: {}", folder.string(), sys::describe_errno(errno));
  } else if (std::filesystem::is_directory(output.file, error)) {
    problem = "it is a folder";
  } else if (same_file(output.file, report.baseline.file) || same_file(output.file, report.current.file)) {
    problem = "it is one of the reports compared";
  }
  if (!problem.empty()) {
    throw UsageError(
        fmt::format("{} {}: {}: give a file in a writable folder", output.flag, output.file.string(), problem));
  }
}

bool any_regressed(const stats::Comparison& comparison) {
  return std::any_of(comparison.rows.begin(), comparison.rows.end(),
                     [](const stats::ComparisonRow& row) { return row.change == stats::Change::regressed; });
}

}  // namespace

reports::Report read_baseline_for_suite(const std::filesystem::path& file, const SuiteOptions& options) {
  reports::Report baseline = read_report_for_command(file);
  const auto refuse = [&](const std::string& why) {
    return UsageError(fmt::format("--baseline {}: {}", file.string(), why));
  };
  if (baseline.options.suite != options.suite) {
    throw refuse(fmt::format("a run of suite '{}', not '{}': give a report of the same suite", baseline.options.suite,
                             options.suite));
  }
  const bool shares_a_row = std::any_of(baseline.samples.begin(), baseline.samples.end(), [&](const auto& sample) {
    return sample.ok && !sample.warmup &&
           std::find(options.backends.begin(), options.backends.end(), sample.backend) != options.backends.end() &&
           std::any_of(options.cases.begin(), options.cases.end(),
                       [&](const reports::Case& test_case) { return test_case.name == sample.case_name; });
  });
  if (!shares_a_row) {
    throw refuse(
        "no measured ok sample of a backend and case this run measures: give a report of the same "
        "backends and workload");
  }
  return baseline;
}

int print_and_write_comparison(const stats::ComparisonReport& report, const ComparisonOutputs& outputs,
                               bool counts_only) {
  const std::vector<Output> asked = outputs_asked(outputs);
  for (const Output& output : asked) require_writable(output, report);
  fmt::print("{}", counts_only ? stats::counts_line(report) + "\n" : stats::render_comparison_table(report));
  std::fflush(stdout);
  for (const Output& output : asked) {
    try {
      sys::write_file_atomically(output.file, output.render(report));
    } catch (const sys::Error& error) {
      throw UsageError(fmt::format("{} {}: {}", output.flag, output.file.string(), error.what()));
    }
    fmt::print("comparison: {}\n", output.file.string());
  }
  return any_regressed(report.comparison) ? exit_failure : exit_ok;
}

int compare_with_baseline(const std::optional<reports::Report>& baseline, const std::filesystem::path& baseline_file,
                          const reports::Report& report, const std::filesystem::path& report_path, bool quiet) {
  if (!baseline) return exit_ok;
  stats::ComparisonReport comparison;
  try {
    comparison = stats::make_comparison_report(*baseline, baseline_file.string(), report, report_path.string(), {});
  } catch (const sys::Error& error) {
    throw UsageError(fmt::format("--baseline {}: {}", baseline_file.string(), error.what()));
  }
  if (!quiet) fmt::print("\ncompared with the baseline {}:\n", baseline_file.string());
  const std::filesystem::path folder = report_path.parent_path();
  return print_and_write_comparison(
      comparison, ComparisonOutputs{folder / "comparison.json", {}, folder / "comparison.html"}, quiet);
}

int run_compare(const CompareCommand& command) {
  const reports::Report baseline = read_report_for_command(command.baseline);
  const reports::Report current = read_report_for_command(command.current);
  stats::CompareOptions options;
  options.threshold = command.threshold;
  options.alpha = command.alpha;
  stats::ComparisonReport comparison;
  try {
    comparison =
        stats::make_comparison_report(baseline, command.baseline.string(), current, command.current.string(), options);
  } catch (const sys::Error& error) {
    throw UsageError(
        fmt::format("compare {} {}: {}", command.baseline.string(), command.current.string(), error.what()));
  }
  return print_and_write_comparison(comparison, command.outputs);
}

}  // namespace benchrun::harness
