#include "stats/mann_whitney.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

struct Ranked {
  double value;
  bool from_a;
};

}  // namespace

MannWhitneyResult compare_samples(std::span<const double> a, std::span<const double> b) {
  if (a.empty() || b.empty()) throw sys::Error("Mann-Whitney U: both samples need at least one value");
  std::vector<Ranked> pooled;
  pooled.reserve(a.size() + b.size());
  for (const double value : a) pooled.push_back({value, true});
  for (const double value : b) pooled.push_back({value, false});
  for (const Ranked& item : pooled) {
    if (!std::isfinite(item.value)) throw sys::Error("Mann-Whitney U: a value is not finite");
  }
  std::sort(pooled.begin(), pooled.end(), [](const Ranked& x, const Ranked& y) { return x.value < y.value; });

  // Ranks 1..n; a run of tied values shares the mean of the ranks it spans.
  double rank_sum_a = 0.0;
  double tie_term = 0.0;  // sum of t^3 - t over tie groups
  for (std::size_t start = 0; start < pooled.size();) {
    std::size_t end = start;
    while (end < pooled.size() && pooled[end].value == pooled[start].value) ++end;
    const auto tied = static_cast<double>(end - start);
    const double shared_rank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2.0;
    for (std::size_t i = start; i < end; ++i) {
      if (pooled[i].from_a) rank_sum_a += shared_rank;
    }
    tie_term += tied * tied * tied - tied;
    start = end;
  }

  const auto n1 = static_cast<double>(a.size());
  const auto n2 = static_cast<double>(b.size());
  const double n = n1 + n2;
  MannWhitneyResult result;
  result.u = rank_sum_a - n1 * (n1 + 1.0) / 2.0;

  const double mu = n1 * n2 / 2.0;
  const double variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
  if (variance <= 0.0) {
    result.p_value = 1.0;  // every value equal: no evidence of any difference
    return result;
  }
  const double u_larger = std::max(result.u, n1 * n2 - result.u);
  const double z = (u_larger - mu - 0.5) / std::sqrt(variance);
  // Two-sided: 2 * survival function of the standard normal, 1 - Phi(z) = erfc(z / sqrt 2) / 2.
  result.p_value = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return result;
}

}  // namespace benchrun::stats
