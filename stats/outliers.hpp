// Outliers by the modified Z-score, robust to the outliers themselves because it is built on the median
// and the MAD instead of the mean and the standard deviation (hyperfine warns on the same test).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace benchrun::stats {

// Iglewicz & Hoaglin, "How to Detect and Handle Outliers" (ASQC Basic References in Quality Control,
// vol. 16, 1993): M_i = 0.6745 * (x_i - median) / MAD, and |M_i| > 3.5 marks a likely outlier.
// 0.6745 is the 0.75 quantile of the standard normal, which makes M_i comparable to a Z-score.
inline constexpr double modified_z_factor = 0.6745;
inline constexpr double modified_z_threshold = 3.5;

// MAD scaled by 1 / Phi^-1(3/4) = 1.4826... estimates the standard deviation of normally distributed data.
// The full double, 1 / scipy.stats.norm.ppf(0.75), so mad_scaled equals
// scipy.stats.median_abs_deviation(x, scale='normal'); the rounded 1.4826 was off in the 6th digit.
inline constexpr double mad_normal_scale = 1.482602218505602;

// Median absolute deviation, raw (not scaled): median(|x_i - median(x)|). Throws Error when empty.
double median_absolute_deviation(std::span<const double> values);

// Indices (into `values`, ascending) of the values whose |modified Z-score| exceeds `threshold`.
// When MAD is 0 (more than half the values equal) the score is undefined and nothing is flagged:
// a sample that is mostly one value has no spread to be an outlier from.
std::vector<std::size_t> modified_z_outliers(std::span<const double> values, double threshold = modified_z_threshold);

}  // namespace benchrun::stats
