#include "stats/summary.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "stats/percentile.hpp"
#include "sys/error.hpp"

namespace benchrun::stats {

Summary summarize(std::span<const double> values, const SummaryOptions& options) {
  if (values.empty()) throw sys::Error("summarize: no values");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i]))
      throw sys::Error(fmt::format("summarize: value #{} is not finite ({})", i, values[i]));
  }

  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const auto n = static_cast<double>(sorted.size());

  Summary summary;
  summary.count = sorted.size();
  summary.min = sorted.front();
  summary.max = sorted.back();
  summary.median = percentile_of_sorted(sorted, 50.0);
  summary.p90 = percentile_of_sorted(sorted, 90.0);
  summary.p99 = percentile_of_sorted(sorted, 99.0);
  summary.mean = std::accumulate(sorted.begin(), sorted.end(), 0.0) / n;
  if (sorted.size() > 1) {
    double squares = 0.0;
    for (const double value : sorted) squares += (value - summary.mean) * (value - summary.mean);
    summary.stddev = std::sqrt(squares / (n - 1.0));
  }
  summary.mad = median_absolute_deviation(values);
  summary.mad_scaled = summary.mad * mad_normal_scale;
  summary.median_ci = bootstrap_median_interval(values, options.bootstrap);
  summary.ci_level = options.bootstrap.confidence;
  summary.outliers = modified_z_outliers(values, options.outlier_threshold);
  return summary;
}

}  // namespace benchrun::stats
