#include "stats/bootstrap.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

// 40 draws of Normal(50, 5), rounded to 3 decimals: numpy.round(numpy.random.default_rng(1).normal(50, 5, 40), 3).
const std::vector<double> normal_draws = {
    51.728, 54.108, 51.652, 43.484, 54.527, 52.232, 47.315, 52.906, 51.823, 51.471, 50.142, 52.734, 46.318, 49.185,
    47.589, 52.994, 50.199, 48.538, 46.09,  48.714, 50.041, 48.622, 56.47,  55.034, 36.444, 40.555, 49.126, 47.889,
    51.068, 51.087, 60.589, 44.44,  48.112, 60.214, 53.234, 53.315, 47.43,  41.76,  50.837, 50.545};

TEST(BootstrapMedianInterval, AgreesWithScipyPercentileBootstrap) {
  // scipy.stats.bootstrap((x,), numpy.median, n_resamples=100000, method="percentile",
  //                       confidence_level=0.95, random_state=7) -> (48.668, 51.69); median 50.372.
  // A different generator and 10,000 resamples: the bounds agree to within Monte Carlo noise, not exactly.
  const Interval interval = bootstrap_median_interval(normal_draws);
  EXPECT_NEAR(interval.low, 48.668, 0.1);
  EXPECT_NEAR(interval.high, 51.69, 0.1);
}

TEST(BootstrapMedianInterval, IsReproducibleForASeedAndMovesWithIt) {
  const Interval first = bootstrap_median_interval(normal_draws);
  const Interval again = bootstrap_median_interval(normal_draws);
  EXPECT_EQ(first.low, again.low);
  EXPECT_EQ(first.high, again.high);

  BootstrapOptions other_seed;
  other_seed.seed = 12345;
  other_seed.resamples = 200;  // few resamples: the bounds visibly depend on the draws
  BootstrapOptions same_count;
  same_count.resamples = 200;
  const Interval seeded = bootstrap_median_interval(normal_draws, other_seed);
  const Interval default_seeded = bootstrap_median_interval(normal_draws, same_count);
  EXPECT_TRUE(seeded.low != default_seeded.low || seeded.high != default_seeded.high);
}

TEST(BootstrapMedianInterval, NarrowsWithLowerConfidence) {
  BootstrapOptions half;
  half.confidence = 0.5;
  const Interval wide = bootstrap_median_interval(normal_draws);
  const Interval narrow = bootstrap_median_interval(normal_draws, half);
  EXPECT_GT(narrow.low, wide.low);
  EXPECT_LT(narrow.high, wide.high);
}

TEST(BootstrapMedianRatioInterval, OfConstantSamplesIsTheRatioItself) {
  const Interval interval =
      bootstrap_median_ratio_interval(std::vector<double>{4.0, 4.0, 4.0}, std::vector<double>{6.0, 6.0});
  EXPECT_DOUBLE_EQ(interval.low, 1.5);
  EXPECT_DOUBLE_EQ(interval.high, 1.5);
}

TEST(BootstrapMedianRatioInterval, HoldsTheRatioOfMediansAndRejectsAZeroBaseline) {
  std::vector<double> doubled = normal_draws;
  for (double& value : doubled) value *= 2.0;
  const Interval interval = bootstrap_median_ratio_interval(normal_draws, doubled);
  EXPECT_LT(interval.low, 2.0);
  EXPECT_GT(interval.high, 2.0);
  EXPECT_THROW(bootstrap_median_ratio_interval(std::vector<double>{0.0}, normal_draws), sys::Error);
  EXPECT_THROW(bootstrap_median_ratio_interval(std::vector<double>{}, normal_draws), sys::Error);
}

TEST(BootstrapMedianInterval, RejectsEmptySampleAndBadOptions) {
  EXPECT_THROW(bootstrap_median_interval(std::vector<double>{}), sys::Error);
  BootstrapOptions none;
  none.resamples = 0;
  EXPECT_THROW(bootstrap_median_interval(normal_draws, none), sys::Error);
  BootstrapOptions certain;
  certain.confidence = 1.0;
  EXPECT_THROW(bootstrap_median_interval(normal_draws, certain), sys::Error);
}

}  // namespace
}  // namespace benchrun::stats
