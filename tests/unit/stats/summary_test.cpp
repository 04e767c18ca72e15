// Reference values: numpy 1.24 / scipy 1.10 (Debian python3-numpy, python3-scipy) on `with_one_slow_run`:
//   numpy.median(x) = 12.149999999999999, numpy.percentile(x, 90) = 14.699999999999994,
//   numpy.percentile(x, 99) = 28.470000000000002, numpy.mean(x) = 13.95, numpy.std(x, ddof=1) = 5.651990799709426,
//   scipy.stats.median_abs_deviation(x) = 0.3 (raw), * 1.4826 = 0.44478.
#include "stats/summary.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

const std::vector<double> with_one_slow_run = {12.1, 11.8, 12.5, 13.0, 11.9, 12.2, 30.0, 12.0, 12.3, 11.7};

TEST(Summarize, MatchesNumpyOnARunWithOneSlowRepetition) {
  const Summary summary = summarize(with_one_slow_run);
  EXPECT_EQ(summary.count, 10U);
  EXPECT_EQ(summary.min, 11.7);
  EXPECT_EQ(summary.max, 30.0);
  EXPECT_NEAR(summary.median, 12.15, 1e-12);
  EXPECT_NEAR(summary.p90, 14.7, 1e-12);
  EXPECT_NEAR(summary.p99, 28.47, 1e-12);
  EXPECT_NEAR(summary.mean, 13.95, 1e-12);
  EXPECT_NEAR(summary.stddev, 5.651990799709426, 1e-12);
  EXPECT_NEAR(summary.mad, 0.3, 1e-12);
  EXPECT_NEAR(summary.mad_scaled, 0.44478, 1e-12);
  EXPECT_EQ(summary.outliers, (std::vector<std::size_t>{6}));
  EXPECT_EQ(summary.ci_level, 0.95);
  EXPECT_LE(summary.median_ci.low, summary.median);
  EXPECT_GE(summary.median_ci.high, summary.median);
  // The slow run cannot drag the interval of the median far: a robust statistic.
  EXPECT_GE(summary.median_ci.low, 11.7);
  EXPECT_LE(summary.median_ci.high, 13.0);
}

// Values that are all `value`: every figure is that value, with no spread and no outlier.
void expect_no_spread(const std::vector<double>& values, double value) {
  const Summary summary = summarize(values);
  EXPECT_EQ(summary.count, values.size());
  for (const double figure :
       {summary.min, summary.median, summary.p99, summary.max, summary.median_ci.low, summary.median_ci.high}) {
    EXPECT_EQ(figure, value);
  }
  for (const double spread : {summary.stddev, summary.mad, summary.mad_scaled}) EXPECT_EQ(spread, 0.0);
  EXPECT_TRUE(summary.outliers.empty());
}

TEST(Summarize, OneValueHasNoSpread) { expect_no_spread({7.5}, 7.5); }

TEST(Summarize, AllEqualValuesHaveZeroSpreadAndNoOutliers) { expect_no_spread(std::vector<double>(20, 3.25), 3.25); }

TEST(Summarize, EmptySampleIsAnError) { EXPECT_THROW(summarize(std::vector<double>{}), sys::Error); }

TEST(Summarize, NonFiniteValueIsAnErrorNamingIt) {
  const std::vector<double> values = {1.0, std::numeric_limits<double>::quiet_NaN()};
  try {
    summarize(values);
    FAIL() << "a NaN was summarized";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("value #1 is not finite"), std::string::npos) << error.what();
  }
}

TEST(Summarize, SameInputAndSeedGiveTheSameSummary) {
  const Summary first = summarize(with_one_slow_run);
  const Summary second = summarize(with_one_slow_run);
  EXPECT_EQ(first.median_ci.low, second.median_ci.low);
  EXPECT_EQ(first.median_ci.high, second.median_ci.high);
}

}  // namespace
}  // namespace benchrun::stats
