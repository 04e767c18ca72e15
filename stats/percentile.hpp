// Order statistics of a sample: percentiles and the median by linear interpolation between closest
// ranks (Hyndman & Fan type 7, numpy.percentile's default), so figures match what numpy prints.
#pragma once

#include <span>
#include <vector>

namespace benchrun::stats {

// The p-th percentile (0 <= p <= 100) of values already sorted ascending. Type 7: the value at rank
// h = (n - 1) * p / 100, interpolated linearly between the two closest ranks. Throws Error when empty.
double percentile_of_sorted(std::span<const double> sorted, double p);

// Median of values in any order (copies; the input is left alone). Throws Error when empty.
double median(std::span<const double> values);

// Median of `values`, reordering them in place (nth_element): the bootstrap's hot path.
double median_in_place(std::span<double> values);

}  // namespace benchrun::stats
