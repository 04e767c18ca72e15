#include "harness/workload_protocol.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "reports/json.hpp"
#include "reports/metric_table.hpp"

namespace benchrun::harness {
namespace {

std::string describe_status(std::optional<int> exit_code, std::optional<int> signal) {
  if (signal) {
    const char* name = sigabbrev_np(*signal);
    return name != nullptr ? fmt::format("killed by SIG{}", name) : fmt::format("killed by signal {}", *signal);
  }
  if (exit_code) return fmt::format("exit code {}", *exit_code);
  return "no exit status";
}

}  // namespace

bool is_ready_line(std::string_view line) { return line == ready_line; }

bool is_result_line(std::string_view line) { return line.starts_with(result_prefix); }

reports::WorkloadResult parse_result_line(std::string_view line) {
  const std::string_view json_text = line.substr(result_prefix.size());
  reports::WorkloadResult result;
  try {
    result = reports::parse_workload_result(json_text);
  } catch (sys::Error& error) {
    error.add_context(fmt::format("malformed BENCHRUN RESULT line '{}'", json_text));
    throw;
  }
  for (const reports::WorkloadMetric& metric : result.metrics) {
    if (reports::find_metric(reports::known_metrics(), metric.name) != nullptr) {
      throw sys::Error(
          fmt::format("the workload reported a metric named {}, which benchrun measures itself: "
                      "rename the workload's metric",
                      metric.name));
    }
  }
  return result;
}

bool is_phases_line(std::string_view line) { return line.starts_with(phases_prefix); }

namespace {

bool is_phase_name(std::string_view name) {
  return !name.empty() &&
         std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

}  // namespace

std::vector<std::pair<std::string, double>> parse_phases_line(std::string_view line) {
  if (!is_phases_line(line)) throw sys::Error(fmt::format("'{}' is not a BENCHRUN PHASES line", line));
  std::vector<std::pair<std::string, double>> phases;
  std::string_view rest = line.substr(phases_prefix.size());
  while (!rest.empty()) {
    const std::size_t space = rest.find(' ');
    const std::string_view word = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
    if (word.empty()) continue;
    const std::size_t equals = word.find('=');
    const std::string_view name = word.substr(0, equals);
    const std::string value_text(equals == std::string_view::npos ? std::string_view{} : word.substr(equals + 1));
    char* end = nullptr;
    const double value = value_text.empty() ? -1 : std::strtod(value_text.c_str(), &end);
    if (!is_phase_name(name) || value_text.empty() || end != value_text.c_str() + value_text.size() ||
        !std::isfinite(value) || value < 0) {
      throw sys::Error(fmt::format("BENCHRUN PHASES: '{}' is not name=ms (name of a-z and _, ms a number >= 0)", word));
    }
    if (std::any_of(phases.begin(), phases.end(), [&](const auto& phase) { return phase.first == name; })) {
      throw sys::Error(fmt::format("BENCHRUN PHASES: phase {} given twice", name));
    }
    phases.emplace_back(std::string(name), value);
  }
  return phases;
}

std::string format_phases_line(const std::vector<std::pair<std::string, double>>& phases) {
  std::string line(phases_prefix);
  for (std::size_t index = 0; index < phases.size(); ++index) {
    line += fmt::format("{}{}={:.3f}", index == 0 ? "" : " ", phases[index].first, phases[index].second);
  }
  return line;
}

std::string describe(const InstanceExit& exit) {
  if (exit.oom_killed) return "OOM-killed";
  return describe_status(exit.exit_code, exit.signal);
}

std::string describe(const std::optional<reports::WorkloadResult>& result) {
  if (!result) return "no result";
  return describe_status(result->exit_code, result->signal);
}

std::string with_diagnostics(const std::string& diagnostics) {
  if (diagnostics.empty()) return {};
  const auto last_newline = diagnostics.find_last_of('\n');
  return ": " + (last_newline == std::string::npos ? diagnostics : diagnostics.substr(last_newline + 1));
}

}  // namespace benchrun::harness
