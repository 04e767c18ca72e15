// benchrun baseline HISTORY --suite S | --pin RUN: the baseline choice of scripts/nightly.sh, made by
// reports/history.hpp so that the script and the trend page read the history folder the same way.
#include <fmt/format.h>

#include "harness/commands/commands.hpp"
#include "reports/history.hpp"

namespace benchrun::harness {

std::vector<reports::HistoryRun> read_history_for_command(const std::filesystem::path& history) {
  try {
    return reports::list_history(history);
  } catch (const sys::Error& error) {
    throw UsageError(fmt::format("{}: give the folder scripts/nightly.sh --history fills", error.what()));
  }
}

int run_baseline(const BaselineCommand& command) {
  const std::vector<reports::HistoryRun> runs = read_history_for_command(command.history);
  try {
    if (command.pin) {
      reports::pin_baseline(command.history, runs, *command.pin);
      fmt::print("pinned: {}\n", *command.pin);
      return exit_ok;
    }
    const auto pinned = reports::read_pinned_baseline(command.history, *command.suite);
    if (const auto baseline = reports::select_baseline(runs, *command.suite, pinned)) {
      fmt::print("{}\n", baseline->id);
    }
    return exit_ok;
  } catch (const sys::Error& error) {
    throw UsageError(fmt::format("{}: {}", command.history.string(), error.what()));
  }
}

}  // namespace benchrun::harness
