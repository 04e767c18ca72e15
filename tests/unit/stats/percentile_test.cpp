// Reference values: numpy 1.24 (Debian python3-numpy), numpy.percentile's default method "linear" (type 7).
#include "stats/percentile.hpp"

#include <gtest/gtest.h>

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
