// Reference values: scipy 1.10.1 (Debian python3-scipy), computed once by hand, for each case below:
//   scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='asymptotic', use_continuity=True)
// whose .statistic is U of a (our MannWhitneyResult::u) and .pvalue the two-sided p-value.
#include "stats/mann_whitney.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

struct ScipyCase {
  std::string name;
  std::vector<double> a;
  std::vector<double> b;
  double u;        // scipy's .statistic
  double p_value;  // scipy's .pvalue
};

class CompareSamplesMatchesScipy : public testing::TestWithParam<ScipyCase> {};

TEST_P(CompareSamplesMatchesScipy, InUAndPValue) {
  const ScipyCase& reference = GetParam();
  const MannWhitneyResult result = compare_samples(reference.a, reference.b);
  EXPECT_DOUBLE_EQ(result.u, reference.u);
  // Relative: one case's p-value is 6e-7.
  EXPECT_NEAR(result.p_value, reference.p_value, 1e-10 * reference.p_value);
}

INSTANTIATE_TEST_SUITE_P(
    KnownAnswers, CompareSamplesMatchesScipy,
    testing::Values(
        ScipyCase{"ShiftedWithoutTies",
                  {1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8},
                  {3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 19.0},
                  12.0,
                  0.02374139453072586},
        // Ties inside and across the samples: midranks and the tie-corrected variance.
        ScipyCase{"TiesAcrossSamples", {1, 2, 2, 3, 3, 3, 4}, {2, 3, 4, 4, 5, 5, 6}, 8.5, 0.043051432728945134},
        // Timings at a coarse resolution: few distinct values, most of them shared.
        ScipyCase{"MostlyTiedCoarseTimings",
                  {2, 2, 2, 3, 3, 4, 2, 3, 2, 2},
                  {3, 3, 3, 4, 4, 3, 2, 4, 3, 5, 3},
                  23.5,
                  0.019908492960343117},
        // One sample a single tie group inside the other's range.
        ScipyCase{"OneSampleAllTied", {4, 4, 4, 4}, {1, 2, 3, 4, 5, 6}, 14.0, 0.7329950885751295},
        ScipyCase{"OverlappingNoise",
                  {10.0, 10.5, 9.8, 10.2, 10.1, 9.9, 10.3, 10.0, 10.4},
                  {10.1, 10.6, 9.7, 10.2, 10.0, 9.9, 10.3, 10.1, 10.5},
                  38.0,
                  0.8589522220671553},
        ScipyCase{"UnequalSizesThreeAgainstTwelve",
                  {5.1, 6.3, 7.2},
                  {1.0, 1.5, 2.0, 2.2, 2.9, 3.1, 3.3, 4.0, 4.4, 4.8, 5.0, 5.5},
                  35.0,
                  0.01723902055859097},
        // The same values on both sides: U = n1*n2/2, z < 0 after the continuity correction, p clipped to 1.
        ScipyCase{"IdenticalSamples", {3, 1, 2, 5, 4}, {3, 1, 2, 5, 4}, 12.5, 1.0},
        // Tiny samples: the approximation says little, and p stays large even for a complete separation.
        ScipyCase{"OneAgainstOne", {1}, {2}, 0.0, 1.0},
        ScipyCase{"TwoAgainstTwoSeparated", {1, 2}, {3, 4}, 0.0, 0.2452781168067728},
        ScipyCase{"OneAgainstFiveAboveAll", {7}, {1, 2, 3, 4, 5}, 5.0, 0.24156658696897293},
        ScipyCase{"TwentyAgainstFifteenSeparated",
                  {10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.6, 10.7, 10.8, 10.9,
                   11.0, 11.1, 11.2, 11.3, 11.4, 11.5, 11.6, 11.7, 11.8, 11.9},
                  {20.0, 20.1, 20.2, 20.3, 20.4, 20.5, 20.6, 20.7, 20.8, 20.9, 21.0, 21.1, 21.2, 21.3, 21.4},
                  0.0,
                  6.249814797861823e-07}),
    [](const testing::TestParamInfo<ScipyCase>& info) { return info.param.name; });

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
