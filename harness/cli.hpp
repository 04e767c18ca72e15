// The command line: flags -> validated options, one parser for every subcommand.
#pragma once

#include <optional>
#include <variant>

#include "harness/options.hpp"
#include "sys/error.hpp"

namespace benchrun::harness {

// Bad input: printed as one line, exit code 2, nothing measured.
class UsageError : public sys::Error {
 public:
  using sys::Error::Error;
};

struct DoctorCommand {
  std::string libvirt_uri;
  ImageChoice image;
  vm::AcceleratorRequest accel = vm::AcceleratorRequest::automatic;
};
struct CleanupCommand {
  std::string libvirt_uri;
};
struct ReportCommand {
  std::filesystem::path file;  // a report.json
  std::vector<reports::ExportSpec> exports;
  std::optional<std::filesystem::path> html;  // --html OUT: the report as one self-contained page
};
// Files a comparison is written to besides the table on stdout; an empty path: not written.
struct ComparisonOutputs {
  std::filesystem::path json;  // benchrun.comparison/1
  std::filesystem::path markdown;
  std::filesystem::path html;
};
struct CompareCommand {
  std::filesystem::path baseline;  // report.json files
  std::filesystem::path current;
  double threshold = 0.05;  // relative change of the median that matters
  double alpha = 0.05;      // largest p-value that counts as a real change
  ComparisonOutputs outputs;
};
// benchrun trend HISTORY --html OUT: the trend page of the runs scripts/nightly.sh filed in HISTORY.
struct TrendCommand {
  std::filesystem::path history;
  std::filesystem::path html;
  std::optional<std::string> suite;  // nullopt: every suite
  int last = 30;                     // runs per suite on the page
};
// benchrun baseline HISTORY --suite S | --pin RUN: names the run the next run of S is compared with, or pins one.
struct BaselineCommand {
  std::filesystem::path history;
  std::optional<std::string> suite;
  std::optional<std::string> pin;  // exactly one of suite and pin is set
};
struct MergeCommand {
  std::vector<std::filesystem::path> files;  // report.json files of one suite
  std::filesystem::path out_dir;             // gets report.json
  std::vector<std::string> host_names;       // one per file ("" for its own name), or empty: every file's own
};
struct ExitNow {
  int code = 0;  // --help / --version were printed
};

using Command = std::variant<SuiteOptions, RunCommandOptions, DoctorCommand, CleanupCommand, ReportCommand,
                             CompareCommand, TrendCommand, BaselineCommand, MergeCommand, ExitNow>;

// Throws UsageError on bad input.
Command parse_command_line(int argc, char** argv);

// --start choices: cold, warm, both.
const std::vector<std::string>& known_start_choices();
// --guest-cgroup choices: v2, v1, hybrid (benchinit's benchrun.cgroup=).
const std::vector<std::string>& known_guest_cgroup_layouts();

}  // namespace benchrun::harness
