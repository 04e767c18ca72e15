// One line of `benchrun doctor`: a capability, whether this host has it, and the fix when it does not.
#pragma once

#include <string>

namespace benchrun::harness {

struct DoctorCheck {
  std::string name;
  bool ok = false;
  std::string detail;    // what was found
  std::string fix;       // what to do when not ok
  bool required = true;  // a missing optional capability only limits what can be measured
  std::string note{};    // background printed under the line, ok or not; empty: none
};

// The cost of a cgroup v1 attach, cold and warm, and the favordynmods state (doctor_attach_cost.cpp).
DoctorCheck check_cgroup_attach_cost();
// A program on PATH and its version; the fix installs `package`.
DoctorCheck check_tool(const std::string& program, const std::string& package, bool required);

}  // namespace benchrun::harness
