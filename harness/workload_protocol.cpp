#include "harness/workload_protocol.hpp"

#include <fmt/format.h>
#include <cstring>
#include <nlohmann/json.hpp>

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
  try {
    const auto json = nlohmann::json::parse(json_text);
    reports::WorkloadResult result;
    if (!json.at("exit_code").is_null()) result.exit_code = json.at("exit_code").get<int>();
    if (!json.at("signal").is_null()) result.signal = json.at("signal").get<int>();
    result.wall_ns = json.at("wall_ns").get<std::int64_t>();
    result.user_us = json.at("user_us").get<std::int64_t>();
    result.sys_us = json.at("sys_us").get<std::int64_t>();
    result.max_rss_kb = json.at("max_rss_kb").get<std::int64_t>();
    return result;
  } catch (const nlohmann::json::exception& error) {
    throw sys::Error(fmt::format("malformed BENCHRUN RESULT line '{}': {}", json_text, error.what()));
  }
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
