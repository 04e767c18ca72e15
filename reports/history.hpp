// The history folder of nightly runs (scripts/nightly.sh writes it, `benchrun trend` and `benchrun baseline`
// read it):
//   HISTORY/<UTC timestamp>-<suite>/      one run, e.g. 20261202T020000Z-startup (names sort by time)
//       report.json, report.html,          what `benchrun --suite <suite> --out <run>` wrote
//       samples.jsonl
//       benchrun.log                       its stdout and stderr
//       comparison.txt                     `benchrun compare` against the baseline, or why there was none
//       baseline                           the id of the run it was compared with (absent: none)
//       verdict                            good | regressed | failed, written last (atomically)
//   HISTORY/pinned-baseline-<suite>        the id of the run every later run of <suite> is compared with
//   HISTORY/trend.html                     `benchrun trend` of the last runs
// The baseline of a new run is the pinned run if there is one, else the newest run of its suite whose verdict
// is good. A run without a verdict file (still running, or killed) is never a baseline.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchrun::reports {

enum class RunVerdict { good, regressed, failed };

inline constexpr std::string_view history_verdict_file = "verdict";
inline constexpr std::string_view history_baseline_file = "baseline";
inline constexpr std::string_view history_report_file = "report.json";
inline constexpr std::string_view pinned_baseline_prefix = "pinned-baseline-";

// One run folder as the history holds it.
struct HistoryRun {
  std::string id;         // the folder's name, e.g. "20261202T020000Z-startup"
  std::string timestamp;  // "20261202T020000Z"
  std::string suite;      // "startup"
  bool has_report = false;
  std::optional<RunVerdict> verdict;    // nullopt: no verdict yet (running, or killed before the end)
  std::optional<std::string> baseline;  // the id of the run it was compared with
  bool operator==(const HistoryRun&) const = default;
};

// "20261202T020000Z-startup" -> its timestamp and suite (nothing read from disk); nullopt for a name that is no
// run id (a timestamp of the form YYYYMMDDTHHMMSSZ, '-', a suite name).
std::optional<HistoryRun> parse_run_id(std::string_view name);

// The run folders under `history`, oldest first, with what their files say. Other entries are ignored.
// Throws Error when `history` cannot be listed, or a verdict file holds anything but a verdict.
std::vector<HistoryRun> list_history(const std::filesystem::path& history);

// The run id that `history/pinned-baseline-<suite>` names; nullopt when the file does not exist.
std::optional<std::string> read_pinned_baseline(const std::filesystem::path& history, std::string_view suite);
// Writes `history/pinned-baseline-<its suite>` naming `run` (atomically). Throws Error when `run` is no
// run of `runs` with a report.
void pin_baseline(const std::filesystem::path& history, const std::vector<HistoryRun>& runs, std::string_view run);

// The run the next run of `suite` is compared with: the `pinned` run when given (it must be a run of that
// suite with a report, else Error naming it), else the newest run of `suite` whose verdict is good and whose
// report exists; nullopt when there is none (the first run). `runs` oldest first, as list_history gives them.
std::optional<HistoryRun> select_baseline(const std::vector<HistoryRun>& runs, std::string_view suite,
                                          const std::optional<std::string>& pinned);

std::string_view to_string(RunVerdict verdict);
// Throws Error naming the unknown text.
RunVerdict parse_run_verdict(std::string_view text);

}  // namespace benchrun::reports
