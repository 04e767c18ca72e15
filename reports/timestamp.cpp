#include "reports/timestamp.hpp"

#include <fmt/format.h>
#include <ctime>

namespace benchrun::reports {

std::string rfc3339_utc(std::chrono::system_clock::time_point at) {
  const auto since_epoch = std::chrono::floor<std::chrono::milliseconds>(at.time_since_epoch());
  const auto seconds = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const std::time_t whole_seconds = static_cast<std::time_t>(seconds.count());
  std::tm utc{};
  gmtime_r(&whole_seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, (since_epoch - seconds).count());
}

}  // namespace benchrun::reports
