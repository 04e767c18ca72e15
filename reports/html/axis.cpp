#include "reports/html/axis.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace benchrun::reports::html {
namespace {

bool wants_log(std::span<const double> values, AxisScale scale) {
  if (scale == AxisScale::linear || values.empty()) return false;
  const auto [smallest, largest] = std::minmax_element(values.begin(), values.end());
  if (*smallest <= 0.0) return false;
  return scale == AxisScale::log || *largest / *smallest > log_scale_ratio;
}

// A range of positive width around [low, high]: a single value gets 10 % either side (or [0, 1] for 0).
std::pair<double, double> widened(double low, double high) {
  if (low < high) return {low, high};
  if (low == 0.0) return {0.0, 1.0};
  const double margin = std::abs(low) * 0.1;
  return {low - margin, high + margin};
}

}  // namespace

std::vector<double> nice_linear_ticks(double low, double high, std::size_t target) {
  const double raw_step = (high - low) / static_cast<double>(std::max<std::size_t>(target, 1));
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw_step)));
  double step = magnitude * 10.0;
  for (const double factor : {1.0, 2.0, 5.0}) {
    if (raw_step <= factor * magnitude) {
      step = factor * magnitude;
      break;
    }
  }
  const double first = std::floor(low / step);
  const double last = std::ceil(high / step);
  std::vector<double> ticks;
  for (double index = first; index <= last; index += 1.0) {
    // Rounded to the step's own precision, so 3 * 0.1 is 0.3 and not 0.30000000000000004.
    ticks.push_back(std::stod(fmt::format("{:.10g}", index * step)));
  }
  return ticks;
}

std::vector<double> log_ticks(double low, double high) {
  const int first = static_cast<int>(std::floor(std::log10(low)));
  const int last = static_cast<int>(std::ceil(std::log10(high)));
  const bool dense = last - first <= 2;
  std::vector<double> ticks;
  for (int exponent = first; exponent <= last; ++exponent) {
    const double decade = std::stod(fmt::format("1e{}", exponent));
    ticks.push_back(decade);
    if (dense && exponent < last) {
      ticks.push_back(2.0 * decade);
      ticks.push_back(5.0 * decade);
    }
  }
  // Keep one tick at or below low and one at or above high, not the whole decade around them.
  while (ticks.size() > 2 && ticks[1] <= low) ticks.erase(ticks.begin());
  while (ticks.size() > 2 && ticks[ticks.size() - 2] >= high) ticks.pop_back();
  return ticks;
}

std::string tick_label(double value) {
  const double rounded = std::stod(fmt::format("{:.10g}", value));
  return fmt::format("{}", rounded == 0.0 ? 0.0 : rounded);  // no "-0"
}

ValueAxis ValueAxis::fit(std::span<const double> values, AxisScale scale, std::optional<double> include) {
  std::vector<double> all(values.begin(), values.end());
  if (include) all.push_back(*include);
  if (all.empty()) all = {0.0, 1.0};
  const auto [smallest, largest] = std::minmax_element(all.begin(), all.end());
  if (wants_log(all, scale)) {
    const auto [low, high] = widened(*smallest, *largest);
    return ValueAxis(true, log_ticks(low, high));
  }
  const auto [low, high] = widened(*smallest, *largest);
  return ValueAxis(false, nice_linear_ticks(low, high));
}

ValueAxis::ValueAxis(bool log, std::vector<double> ticks)
    : log_(log),
      low_(ticks.empty() ? 0.0 : ticks.front()),
      high_(ticks.empty() ? 1.0 : ticks.back()),
      ticks_(std::move(ticks)) {}

double ValueAxis::fraction(double value) const {
  double position = 0.0;
  if (log_) {
    position = value <= 0.0 ? 0.0 : (std::log10(value) - std::log10(low_)) / (std::log10(high_) - std::log10(low_));
  } else {
    position = (value - low_) / (high_ - low_);
  }
  return std::clamp(position, 0.0, 1.0);
}

}  // namespace benchrun::reports::html
