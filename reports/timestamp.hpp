// Wall-clock timestamps as reports write them: RFC 3339 in UTC with milliseconds,
// e.g. "2025-03-01T12:34:56.789Z".
#pragma once

#include <chrono>
#include <string>

namespace benchrun::reports {

std::string rfc3339_utc(std::chrono::system_clock::time_point at);

}  // namespace benchrun::reports
