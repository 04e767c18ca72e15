// Reference values: numpy 1.24.2 (Debian python3-numpy), computed once by hand with numpy.percentile(x, p), whose
// default method "linear" is Hyndman & Fan type 7.
#include "stats/percentile.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

TEST(Percentile, InterpolatesLinearlyBetweenClosestRanksLikeNumpy) {
  const std::vector<double> sorted = {1.0, 2.0, 3.0, 4.0};
  EXPECT_DOUBLE_EQ(percentile_of_sorted(sorted, 90), 3.7);   // numpy.percentile([1,2,3,4], 90)
  EXPECT_DOUBLE_EQ(percentile_of_sorted(sorted, 99), 3.97);  // numpy.percentile([1,2,3,4], 99)
  EXPECT_DOUBLE_EQ(percentile_of_sorted(sorted, 25), 1.75);  // numpy.percentile([1,2,3,4], 25)
  EXPECT_DOUBLE_EQ(percentile_of_sorted(sorted, 50), 2.5);
}

// numpy.percentile(x, p) for p in (0, 10, 25, 50, 90, 99, 100): fractional ranks between unevenly spaced
// values of an odd-sized sample, and the smallest sample with a spread.
void expect_numpy_percentiles(std::vector<double> values, const std::vector<std::pair<double, double>>& expected) {
  std::sort(values.begin(), values.end());
  for (const auto& [p, numpy_value] : expected) {
    EXPECT_NEAR(percentile_of_sorted(values, p), numpy_value, 1e-12) << "p = " << p;
  }
}

TEST(Percentile, MatchesNumpyOnSevenUnevenValues) {
  expect_numpy_percentiles(
      {3.2, 0.7, 9.9, 4.4, 1.5, 2.6, 8.1},
      {{0, 0.7}, {10, 1.1800000000000002}, {25, 2.05}, {50, 3.2}, {90, 8.82}, {99, 9.792}, {100, 9.9}});
}

TEST(Percentile, MatchesNumpyOnTwoValues) {
  expect_numpy_percentiles({6.0, 5.0}, {{0, 5.0}, {10, 5.1}, {25, 5.25}, {50, 5.5}, {90, 5.9}, {99, 5.99}, {100, 6.0}});
}

TEST(Percentile, EndsAreMinAndMax) {
  const std::vector<double> sorted = {-3.0, 0.5, 8.0};
  EXPECT_EQ(percentile_of_sorted(sorted, 0), -3.0);
  EXPECT_EQ(percentile_of_sorted(sorted, 100), 8.0);
}

TEST(Percentile, OfOneValueIsThatValue) {
  const std::vector<double> one = {42.0};
  EXPECT_EQ(percentile_of_sorted(one, 0), 42.0);
  EXPECT_EQ(percentile_of_sorted(one, 99), 42.0);
}

TEST(Percentile, RejectsEmptySampleAndOutOfRangePercent) {
  const std::vector<double> empty;
  EXPECT_THROW(percentile_of_sorted(empty, 50), sys::Error);
  const std::vector<double> sorted = {1.0, 2.0};
  EXPECT_THROW(percentile_of_sorted(sorted, 101), sys::Error);
  EXPECT_THROW(percentile_of_sorted(sorted, -1), sys::Error);
}

TEST(Median, OddCountIsMiddleValueEvenCountIsMeanOfMiddlePair) {
  EXPECT_EQ(median(std::vector<double>{5.0, 1.0, 3.0}), 3.0);
  EXPECT_EQ(median(std::vector<double>{4.0, 1.0, 3.0, 2.0}), 2.5);
  EXPECT_THROW(median(std::vector<double>{}), sys::Error);
}

TEST(Median, LeavesInputOrderAlone) {
  const std::vector<double> values = {3.0, 1.0, 2.0};
  (void)median(values);
  EXPECT_EQ(values, (std::vector<double>{3.0, 1.0, 2.0}));
}

}  // namespace
}  // namespace benchrun::stats
