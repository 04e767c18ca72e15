#include "stats/percentile.hpp"

#include <algorithm>
#include <cmath>

#include "sys/error.hpp"

namespace benchrun::stats {

double percentile_of_sorted(std::span<const double> sorted, double p) {
  if (sorted.empty()) throw sys::Error("percentile of an empty sample");
  if (!(p >= 0.0 && p <= 100.0)) throw sys::Error("percentile outside [0, 100]");
  const double rank = static_cast<double>(sorted.size() - 1) * p / 100.0;
  const auto below = static_cast<std::size_t>(std::floor(rank));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = rank - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

double median_in_place(std::span<double> values) {
  if (values.empty()) throw sys::Error("median of an empty sample");
  const std::size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle), values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  // Even count: the mean of the two middle values; the lower one is the largest of the left part,
  // which nth_element left unordered.
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle));
  return (lower + upper) / 2.0;
}

double median(std::span<const double> values) {
  std::vector<double> copy(values.begin(), values.end());
  return median_in_place(copy);
}

}  // namespace benchrun::stats
