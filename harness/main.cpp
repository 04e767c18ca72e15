// benchrun: connects the parts. CLI -> validated options -> the command -> exit code.
#include <fmt/format.h>

#include <variant>

#include "harness/cli.hpp"
#include "harness/commands/commands.hpp"
#include "harness/stop_signal.hpp"

namespace {

template <class... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace benchrun::harness;
  try {
    const Command command = parse_command_line(argc, argv);
    StopSignal stop;
    return std::visit(Overloaded{
                          [&](const SuiteOptions& options) { return run_suite(options, stop); },
                          [&](const RunCommandOptions& options) { return run_one(options, stop); },
                          [&](const DoctorCommand& options) { return run_doctor(options, stop); },
                          [&](const CleanupCommand& options) { return run_cleanup(options); },
                          [](const ReportCommand& options) { return run_report(options); },
                          [](const CompareCommand& options) { return run_compare(options); },
                          [](const TrendCommand& options) { return run_trend(options); },
                          [](const BaselineCommand& options) { return run_baseline(options); },
                          [](const MergeCommand& options) { return run_merge(options); },
                          [](const ExitNow& exit) { return exit.code; },
                      },
                      command);
  } catch (const UsageError& error) {
    fmt::print(stderr, "benchrun: {}\n", error.what());
    return exit_usage;
  } catch (const std::exception& error) {
    fmt::print(stderr, "benchrun: {}\n", error.what());
    return exit_failure;
  }
}
