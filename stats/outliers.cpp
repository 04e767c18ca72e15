#include "stats/outliers.hpp"

#include <cmath>

#include "stats/percentile.hpp"

namespace benchrun::stats {

double median_absolute_deviation(std::span<const double> values) {
  const double center = median(values);
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (const double value : values) deviations.push_back(std::abs(value - center));
  return median_in_place(deviations);
}

std::vector<std::size_t> modified_z_outliers(std::span<const double> values, double threshold) {
  std::vector<std::size_t> outliers;
  if (values.empty()) return outliers;
  const double mad = median_absolute_deviation(values);
  if (mad == 0.0) return outliers;
  const double center = median(values);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double score = modified_z_factor * (values[i] - center) / mad;
    if (std::abs(score) > threshold) outliers.push_back(i);
  }
  return outliers;
}

}  // namespace benchrun::stats
