#include "harness/workload_protocol.hpp"

#include <fmt/format.h>
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
