// Reference values: scipy 1.10 / numpy 1.24 (Debian python3-scipy, python3-numpy):
//   scipy.stats.median_abs_deviation(x) for the raw MAD, and 0.6745 * (x - numpy.median(x)) / MAD for the scores.
#include "stats/outliers.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace benchrun::stats {
namespace {

const std::vector<double> with_one_slow_run = {12.1, 11.8, 12.5, 13.0, 11.9, 12.2, 30.0, 12.0, 12.3, 11.7};

TEST(MedianAbsoluteDeviation, MatchesScipyRawMad) {
  EXPECT_NEAR(median_absolute_deviation(with_one_slow_run), 0.3, 1e-12);  // scipy: 0.29999999999999805
}

TEST(ModifiedZOutliers, FlagsOnlyTheSlowRunByItsIndex) {
  // Scores per numpy: 30.0 scores 40.13; the next largest |score| is 1.91 (13.0).
  EXPECT_EQ(modified_z_outliers(with_one_slow_run), (std::vector<std::size_t>{6}));
}

TEST(ModifiedZOutliers, ThresholdIsStrictlyGreaterThan) {
  // 13.0 has a score of 1.91108...; a threshold just above keeps it, just below flags it.
  EXPECT_EQ(modified_z_outliers(with_one_slow_run, 1.92), (std::vector<std::size_t>{6}));
  EXPECT_EQ(modified_z_outliers(with_one_slow_run, 1.9), (std::vector<std::size_t>{3, 6}));
}

TEST(ModifiedZOutliers, ZeroMadFlagsNothing) {
  // More than half the values equal: MAD is 0 and the score undefined, even with a far-off value.
  const std::vector<double> mostly_equal = {5.0, 5.0, 5.0, 5.0, 900.0};
  EXPECT_EQ(median_absolute_deviation(mostly_equal), 0.0);
  EXPECT_TRUE(modified_z_outliers(mostly_equal).empty());
}

TEST(ModifiedZOutliers, FlagsLowOutliersToo) {
  const std::vector<double> one_fast_run = {10.0, 10.2, 9.9, 10.1, 10.0, 0.5, 10.3};
  EXPECT_EQ(modified_z_outliers(one_fast_run), (std::vector<std::size_t>{5}));
}

}  // namespace
}  // namespace benchrun::stats
