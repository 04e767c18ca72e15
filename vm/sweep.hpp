// Cleanup of what killed runs left behind: benchrun-* domains (running or defined) and console fifos.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "vm/connection.hpp"

namespace benchrun::vm {

// Destroys and undefines every domain whose name starts with `prefix` on this connection (the embedded
// driver reconnects to QEMUs a killed benchrun left, so they are found), and removes <prefix>*.console.{in,out} fifos
// and <prefix>*.results files under `state_dir` if given. Returns the names of the domains removed. Throws on the first
// failure, naming the domain.
std::vector<std::string> sweep_leftovers(Connection& connection, const std::string& prefix = "benchrun-",
                                         const std::filesystem::path& state_dir = {});

}  // namespace benchrun::vm
