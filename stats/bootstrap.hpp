// Percentile bootstrap of the median: how far the median of a sample could move had the run been
// repeated. Deterministic for a given seed, so the same samples always give the same report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace benchrun::stats {

struct Interval {
  double low = 0.0;
  double high = 0.0;
};

struct BootstrapOptions {
  std::size_t resamples = 10'000;
  double confidence = 0.95;
  std::uint64_t seed = 0x62656e636872756eULL;  // "benchrun": any fixed value; fixed so reports reproduce
};

// Draws `resamples` samples of size n with replacement, takes each one's median, and returns the
// (1-confidence)/2 and 1-(1-confidence)/2 percentiles (type 7) of those medians. Uses mt19937_64, whose
// output the C++ standard fixes, and its own unbiased bounded draw (std::uniform_int_distribution is
// implementation-defined), so the interval is the same on every standard library. Throws Error when empty.
Interval bootstrap_median_interval(std::span<const double> values, const BootstrapOptions& options = {});

// The same percentile bootstrap for median(current) / median(baseline): each resample draws both samples
// anew (baseline first, from one generator) and takes the ratio of their medians. Throws Error when a sample
// is empty or a resampled baseline median is 0 (the ratio would be meaningless).
Interval bootstrap_median_ratio_interval(std::span<const double> baseline, std::span<const double> current,
                                         const BootstrapOptions& options = {});

}  // namespace benchrun::stats
