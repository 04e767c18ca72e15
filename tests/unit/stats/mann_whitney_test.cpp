// Reference values: scipy 1.10 (Debian python3-scipy),
//   scipy.stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic") (use_continuity=True).
#include "stats/mann_whitney.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

TEST(CompareSamples, ShiftedSamplesWithoutTiesMatchScipy) {
  const std::vector<double> a = {1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8};
  const std::vector<double> b = {3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 19.0};
  const MannWhitneyResult result = compare_samples(a, b);
  EXPECT_DOUBLE_EQ(result.u, 12.0);
  EXPECT_NEAR(result.p_value, 0.02374139453072586, 1e-12);
}

TEST(CompareSamples, TiesUseMidranksAndTheTieCorrectedVariance) {
  const std::vector<double> a = {1, 2, 2, 3, 3, 3, 4};
  const std::vector<double> b = {2, 3, 4, 4, 5, 5, 6};
  const MannWhitneyResult result = compare_samples(a, b);
  EXPECT_DOUBLE_EQ(result.u, 8.5);
  EXPECT_NEAR(result.p_value, 0.043051432728945134, 1e-12);
}

TEST(CompareSamples, OverlappingSamplesShowNoDifference) {
  const std::vector<double> a = {10.0, 10.5, 9.8, 10.2, 10.1, 9.9, 10.3, 10.0, 10.4};
  const std::vector<double> b = {10.1, 10.6, 9.7, 10.2, 10.0, 9.9, 10.3, 10.1, 10.5};
  const MannWhitneyResult result = compare_samples(a, b);
  EXPECT_DOUBLE_EQ(result.u, 38.0);
  EXPECT_NEAR(result.p_value, 0.8589522220671553, 1e-12);
}

TEST(CompareSamples, IsSymmetricInPValue) {
  const std::vector<double> a = {1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8};
  const std::vector<double> b = {3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 19.0};
  const MannWhitneyResult forward = compare_samples(a, b);
  const MannWhitneyResult backward = compare_samples(b, a);
  EXPECT_DOUBLE_EQ(forward.p_value, backward.p_value);
  EXPECT_DOUBLE_EQ(forward.u + backward.u, static_cast<double>(a.size() * b.size()));
}

TEST(CompareSamples, AllValuesEqualGivesPOne) {
  const std::vector<double> same = {4.0, 4.0, 4.0};
  EXPECT_EQ(compare_samples(same, same).p_value, 1.0);
}

TEST(CompareSamples, EmptySampleIsAnError) {
  const std::vector<double> some = {1.0};
  EXPECT_THROW(compare_samples(some, std::vector<double>{}), sys::Error);
  EXPECT_THROW(compare_samples(std::vector<double>{}, some), sys::Error);
}

}  // namespace
}  // namespace benchrun::stats
