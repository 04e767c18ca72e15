#include "stats/bootstrap.hpp"

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include "stats/percentile.hpp"
#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

// An index in [0, bound) without modulo bias: draws above the largest multiple of bound are redrawn.
std::size_t draw_index(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  for (;;) {
    const std::uint64_t draw = rng();
    if (draw < limit) return static_cast<std::size_t>(draw % bound);
  }
}

}  // namespace

Interval bootstrap_median_interval(std::span<const double> values, const BootstrapOptions& options) {
  if (values.empty()) throw sys::Error("bootstrap of an empty sample");
  if (options.resamples == 0) throw sys::Error("bootstrap needs at least one resample");
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) throw sys::Error("bootstrap confidence outside (0, 1)");

  std::mt19937_64 rng(options.seed);
  std::vector<double> resample(values.size());
  std::vector<double> medians;
  medians.reserve(options.resamples);
  for (std::size_t r = 0; r < options.resamples; ++r) {
    for (double& slot : resample) slot = values[draw_index(rng, values.size())];
    medians.push_back(median_in_place(resample));
  }
  std::sort(medians.begin(), medians.end());
  const double tail_percent = (1.0 - options.confidence) / 2.0 * 100.0;
  return Interval{percentile_of_sorted(medians, tail_percent), percentile_of_sorted(medians, 100.0 - tail_percent)};
}

}  // namespace benchrun::stats
