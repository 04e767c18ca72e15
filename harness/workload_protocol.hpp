// The host side of the benchinit protocol (its words: protocol/workload_protocol.hpp): `BENCHRUN READY`,
// then `BENCHRUN RESULT {json}`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/backend.hpp"
#include "protocol/workload_protocol.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

inline constexpr std::string_view ready_line = protocol::ready_line;
inline constexpr std::string_view result_prefix = protocol::result_prefix;
inline constexpr std::string_view phases_prefix = protocol::phases_prefix;

bool is_ready_line(std::string_view line);
bool is_result_line(std::string_view line);
// Throws Error when the JSON after the prefix is malformed, or when a workload metric takes the name of one
// benchrun measures itself (reports::known_metrics()).
reports::WorkloadResult parse_result_line(std::string_view line);

// `BENCHRUN PHASES name=ms ...` (protocol/workload_protocol.hpp): the phases in the order written.
bool is_phases_line(std::string_view line);
// Throws Error naming the bad word when a name is not [a-z_]+, a value not a finite number >= 0, or a name
// comes twice.
std::vector<std::pair<std::string, double>> parse_phases_line(std::string_view line);
// The line for `phases` (names must be [a-z_]+, values >= 0), without a newline.
std::string format_phases_line(const std::vector<std::pair<std::string, double>>& phases);

// "exit code 1", "killed by SIGKILL", "OOM-killed"
std::string describe(const InstanceExit& exit);
std::string describe(const std::optional<reports::WorkloadResult>& result);
// ": <last line of diagnostics>" or "" — for appending to a failure message.
std::string with_diagnostics(const std::string& diagnostics);

}  // namespace benchrun::harness
