// The verdicts of a report as a check x backend matrix for the terminal, one per case: each cell says pass
// or FAIL and what was seen, and what was configured (promised) where it differs.
#pragma once

#include <string>

#include "reports/model.hpp"

namespace benchrun::reports {

// "" when the report has no verdicts.
std::string render_verdict_matrix(const Report& report);

}  // namespace benchrun::reports
