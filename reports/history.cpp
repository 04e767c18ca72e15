#include "reports/history.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "sys/enum_names.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::reports {
namespace {

constexpr sys::EnumNames<RunVerdict, 3> run_verdict_names{
    {{RunVerdict::good, "good"}, {RunVerdict::regressed, "regressed"}, {RunVerdict::failed, "failed"}}};

// YYYYMMDDTHHMMSSZ, as `date -u +%Y%m%dT%H%M%SZ` writes it.
constexpr std::string_view timestamp_shape = "ddddddddTddddddZ";

bool is_timestamp(std::string_view text) {
  if (text.size() != timestamp_shape.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool fits = timestamp_shape[i] == 'd' ? std::isdigit(static_cast<unsigned char>(text[i])) != 0
                                                : text[i] == timestamp_shape[i];
    if (!fits) return false;
  }
  return true;
}

bool is_suite_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
}

// The first line of a small file the history keeps, without surrounding blanks; nullopt when it does not exist.
std::optional<std::string> read_word(const std::filesystem::path& path) {
  std::optional<std::string> text = sys::read_file_if_present(path);
  if (!text) return std::nullopt;
  const auto begin = text->find_first_not_of(" \t\n");
  if (begin == std::string::npos) return std::string();
  const auto end = text->find_first_of(" \t\n", begin);
  return text->substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

std::filesystem::path pinned_baseline_path(const std::filesystem::path& history, std::string_view suite) {
  return history / fmt::format("{}{}", pinned_baseline_prefix, suite);
}

}  // namespace

std::string_view to_string(RunVerdict verdict) { return sys::name_of(run_verdict_names, verdict); }

RunVerdict parse_run_verdict(std::string_view text) {
  if (const auto verdict = sys::value_of(run_verdict_names, text)) return *verdict;
  throw sys::Error(fmt::format("unknown verdict '{}' (expected {})", text, sys::names_listed(run_verdict_names)));
}

std::optional<HistoryRun> parse_run_id(std::string_view name) {
  const auto dash = name.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const std::string_view timestamp = name.substr(0, dash);
  const std::string_view suite = name.substr(dash + 1);
  if (!is_timestamp(timestamp) || !is_suite_name(suite)) return std::nullopt;
  HistoryRun run;
  run.id = std::string(name);
  run.timestamp = std::string(timestamp);
  run.suite = std::string(suite);
  return run;
}

std::vector<HistoryRun> list_history(const std::filesystem::path& history) {
  std::vector<HistoryRun> runs;
  std::error_code error;
  std::filesystem::directory_iterator entries(history, error);
  if (error) throw sys::SystemError(error.value(), fmt::format("list history {}", history.string()));
  for (const auto& entry : entries) {
    std::optional<HistoryRun> run = parse_run_id(entry.path().filename().string());
    if (!run || !entry.is_directory()) continue;
    sys::with_context(fmt::format("history run {}", run->id), [&] {
      run->has_report = std::filesystem::is_regular_file(entry.path() / history_report_file);
      if (const auto verdict = read_word(entry.path() / history_verdict_file)) {
        run->verdict = parse_run_verdict(*verdict);
      }
      run->baseline = read_word(entry.path() / history_baseline_file);
    });
    runs.push_back(std::move(*run));
  }
  std::sort(runs.begin(), runs.end(), [](const HistoryRun& a, const HistoryRun& b) { return a.id < b.id; });
  return runs;
}

std::optional<std::string> read_pinned_baseline(const std::filesystem::path& history, std::string_view suite) {
  return read_word(pinned_baseline_path(history, suite));
}

void pin_baseline(const std::filesystem::path& history, const std::vector<HistoryRun>& runs, std::string_view run) {
  const auto pinned = std::find_if(runs.begin(), runs.end(), [&](const HistoryRun& each) { return each.id == run; });
  if (pinned == runs.end() || !pinned->has_report) {
    throw sys::Error(fmt::format("pin {}: no run folder of that name holds a report.json", run));
  }
  sys::write_file_atomically(pinned_baseline_path(history, pinned->suite), pinned->id + "\n");
}

std::optional<HistoryRun> select_baseline(const std::vector<HistoryRun>& runs, std::string_view suite,
                                          const std::optional<std::string>& pinned) {
  if (pinned) {
    const auto found = std::find_if(runs.begin(), runs.end(), [&](const HistoryRun& run) {
      return run.id == *pinned && run.suite == suite && run.has_report;
    });
    if (found == runs.end()) {
      throw sys::Error(fmt::format("the pinned baseline of {} is {}, but no run of {} with a report.json has that name",
                                   suite, *pinned, suite));
    }
    return *found;
  }
  const auto newest_good = std::find_if(runs.rbegin(), runs.rend(), [&](const HistoryRun& run) {
    return run.suite == suite && run.verdict == RunVerdict::good && run.has_report;
  });
  if (newest_good == runs.rend()) return std::nullopt;
  return *newest_good;
}

}  // namespace benchrun::reports
