// One line of `benchrun doctor`: a capability, whether this host has it, and the fix when it does not.
#pragma once

#include <string>

namespace benchrun::harness {

struct DoctorCheck {
  std::string name;
  bool ok = false;
  std::string detail;     // what was found
  std::string fix;        // what to do when not ok
  bool required = true;   // a missing optional capability only limits what can be measured
};

}  // namespace benchrun::harness
