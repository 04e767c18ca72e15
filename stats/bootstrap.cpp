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

void check_options(const BootstrapOptions& options) {
  if (options.resamples == 0) throw sys::Error("bootstrap needs at least one resample");
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) throw sys::Error("bootstrap confidence outside (0, 1)");
}

// The median of one resample of `values` (with replacement), drawn into `scratch` (sized like values).
double resampled_median(std::span<const double> values, std::vector<double>& scratch, std::mt19937_64& rng) {
  for (double& slot : scratch) slot = values[draw_index(rng, values.size())];
  return median_in_place(scratch);
}

// The central `confidence` interval of the bootstrap statistics (type 7 percentiles); reorders them.
Interval central_interval(std::vector<double>& statistics, double confidence) {
  std::sort(statistics.begin(), statistics.end());
  const double tail_percent = (1.0 - confidence) / 2.0 * 100.0;
  return Interval{percentile_of_sorted(statistics, tail_percent),
                  percentile_of_sorted(statistics, 100.0 - tail_percent)};
}

}  // namespace

Interval bootstrap_median_interval(std::span<const double> values, const BootstrapOptions& options) {
  if (values.empty()) throw sys::Error("bootstrap of an empty sample");
  check_options(options);
  std::mt19937_64 rng(options.seed);
  std::vector<double> resample(values.size());
  std::vector<double> medians;
  medians.reserve(options.resamples);
  for (std::size_t r = 0; r < options.resamples; ++r) medians.push_back(resampled_median(values, resample, rng));
  return central_interval(medians, options.confidence);
}

Interval bootstrap_median_ratio_interval(std::span<const double> baseline, std::span<const double> current,
                                         const BootstrapOptions& options) {
  if (baseline.empty() || current.empty()) throw sys::Error("bootstrap of a ratio with an empty sample");
  check_options(options);
  std::mt19937_64 rng(options.seed);
  std::vector<double> baseline_resample(baseline.size());
  std::vector<double> current_resample(current.size());
  std::vector<double> ratios;
  ratios.reserve(options.resamples);
  for (std::size_t r = 0; r < options.resamples; ++r) {
    const double baseline_median = resampled_median(baseline, baseline_resample, rng);
    const double current_median = resampled_median(current, current_resample, rng);
    if (baseline_median == 0.0) throw sys::Error("bootstrap of a ratio: a baseline median of 0");
    ratios.push_back(current_median / baseline_median);
  }
  return central_interval(ratios, options.confidence);
}

}  // namespace benchrun::stats
