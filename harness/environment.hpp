// What a report must say about the machine a run measured, so a figure can be judged by whoever reads it.
#pragma once

#include <optional>
#include <string>

#include "reports/model.hpp"

namespace benchrun::harness {

// Reads /proc, uname and the tools' --version (a few processes: not for hot paths). Leaves
// `virtualization` and `time` to the caller, which knows whether guests ran and when the run started.
reports::Environment probe_environment();

// First line of `program --version`, or nullopt when the program is missing or fails.
std::optional<std::string> tool_version(const std::string& program);

}  // namespace benchrun::harness
