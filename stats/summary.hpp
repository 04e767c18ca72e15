// The statistics benchrun reports for one backend x metric: a pure function of the measured values,
// applied the same way to every metric (Google Benchmark's statistics table, hyperfine's outlier check).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "stats/bootstrap.hpp"
#include "stats/outliers.hpp"

namespace benchrun::stats {

struct SummaryOptions {
  BootstrapOptions bootstrap;  // 10,000 resamples, 95 %, fixed seed
  double outlier_threshold = modified_z_threshold;
};

struct Summary {
  std::size_t count = 0;
  double min = 0.0;
  double median = 0.0;
  double mean = 0.0;
  double p90 = 0.0;  // percentiles: type 7 (linear between closest ranks), numpy's default
  double p99 = 0.0;
  double max = 0.0;
  // Sample standard deviation (divides by n - 1). 0 for a single value: one value shows no spread, and
  // 0 keeps every field a finite number (NaN has no JSON form).
  double stddev = 0.0;
  double mad = 0.0;         // median absolute deviation, raw
  double mad_scaled = 0.0;  // mad * 1.4826 (mad_normal_scale): comparable to stddev for normal data
  Interval median_ci;       // percentile bootstrap interval of the median at options.bootstrap.confidence
  double ci_level = 0.95;
  std::vector<std::size_t> outliers;  // indices into the input, |modified Z| > threshold
};

// Summarizes values in the order they were measured (outlier indices refer to that order).
// Throws Error for an empty sample (a summary of nothing has no median: callers leave such a metric out
// and say why) and for a non-finite value (a NaN or infinity is a measuring bug, not a figure).
Summary summarize(std::span<const double> values, const SummaryOptions& options = {});

}  // namespace benchrun::stats
