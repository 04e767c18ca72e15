// Are two samples of one metric from the same distribution? The two-sided Mann-Whitney U test, which
// assumes no distribution shape (timings are skewed, rarely normal); Google Benchmark's compare.py uses
// the same test for baseline comparisons.
#pragma once

#include <span>

namespace benchrun::stats {

struct MannWhitneyResult {
  double u = 0.0;        // U of sample a: pairs (x in a, y in b) with x > y, ties counting 1/2
  double p_value = 1.0;  // two-sided
};

// Normal approximation with tie correction and continuity correction, the same as
// scipy.stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic") (use_continuity=True):
//   mu = n1*n2/2, sigma^2 = n1*n2/12 * ((n+1) - sum(t^3 - t) / (n*(n-1))) over tie groups of size t,
//   z = (max(U1, U2) - mu - 0.5) / sigma, p = min(1, 2 * (1 - Phi(z))).
// The approximation is rough below ~8 values per sample (compare.py warns below 9 repetitions): say so
// to the reader. p = 1 when every value is equal (sigma = 0). Throws Error when a sample is empty or
// holds a non-finite value.
MannWhitneyResult compare_samples(std::span<const double> a, std::span<const double> b);

}  // namespace benchrun::stats
