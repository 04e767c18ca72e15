// benchrun trend HISTORY --html OUT [--suite S] [--last N]: reads the last runs of each suite in a nightly
// history folder and writes their trend page. One unreadable run costs a warning, not the page.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "harness/commands/commands.hpp"
#include "reports/html/trend_page.hpp"
#include "reports/report_file.hpp"
#include "sys/file_io.hpp"

namespace benchrun::harness {
namespace {

// The last `count` runs of each suite (or of `suite` alone), oldest first.
std::vector<reports::HistoryRun> last_runs(const std::vector<reports::HistoryRun>& runs,
                                           const std::optional<std::string>& suite, int count) {
  std::map<std::string, int> kept_per_suite;
  std::vector<reports::HistoryRun> kept;
  for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
    if (suite && run->suite != *suite) continue;
    if (kept_per_suite[run->suite]++ < count) kept.push_back(*run);
  }
  std::reverse(kept.begin(), kept.end());
  return kept;
}

// The runs whose report reads; a warning line on stderr for each other one.
std::vector<reports::TrendRun> read_trend_runs(const std::filesystem::path& history,
                                               const std::vector<reports::HistoryRun>& runs) {
  std::vector<reports::TrendRun> read;
  for (const reports::HistoryRun& run : runs) {
    try {
      read.push_back({run, reports::read_report_file(history / run.id / reports::history_report_file)});
    } catch (const sys::Error& error) {
      fmt::print(stderr, "benchrun: warning: run {} left out of the trend: {}\n", run.id, error.what());
    }
  }
  return read;
}

}  // namespace

int run_trend(const TrendCommand& command) {
  const auto runs = last_runs(read_history_for_command(command.history), command.suite, command.last);
  if (runs.empty()) {
    throw UsageError(fmt::format("no runs{} in {}: run scripts/nightly.sh --history {} first",
                                 command.suite ? " of " + *command.suite : std::string(), command.history.string(),
                                 command.history.string()));
  }
  const auto trend_runs = read_trend_runs(command.history, runs);
  if (trend_runs.empty()) {
    throw UsageError(fmt::format("no run in {} has a report.json that reads", command.history.string()));
  }
  const std::string page = reports::html::render_trend_page(trend_runs, command.history.string());
  try {
    sys::write_file_atomically(command.html, page);
  } catch (const sys::Error& error) {
    throw UsageError(fmt::format("{}: choose a writable --html path", error.what()));
  }
  fmt::print("trend: {}\n", command.html.string());
  return exit_ok;
}

}  // namespace benchrun::harness
