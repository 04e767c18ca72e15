// Reference values: numpy 1.24.2 / scipy 1.10.1 (Debian python3-numpy, python3-scipy), computed once by hand:
//   median, p90, p99: numpy.median(x), numpy.percentile(x, 90), numpy.percentile(x, 99) (type 7)
//   mean, stddev:     numpy.mean(x), numpy.std(x, ddof=1)
//   mad, mad_scaled:  scipy.stats.median_abs_deviation(x), scipy.stats.median_abs_deviation(x, scale='normal')
#include "stats/summary.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

const std::vector<double> with_one_slow_run = {12.1, 11.8, 12.5, 13.0, 11.9, 12.2, 30.0, 12.0, 12.3, 11.7};

struct NumpyFigures {
  std::string name;
  std::vector<double> values;
  double median;
  double p90;
  double p99;
  double mean;
  double stddev;
  double mad;
  double mad_scaled;
};

class SummarizeMatchesNumpy : public testing::TestWithParam<NumpyFigures> {};

TEST_P(SummarizeMatchesNumpy, InEveryFigure) {
  const NumpyFigures& reference = GetParam();
  const Summary summary = summarize(reference.values);
  EXPECT_EQ(summary.count, reference.values.size());
  EXPECT_EQ(summary.min, *std::min_element(reference.values.begin(), reference.values.end()));
  EXPECT_EQ(summary.max, *std::max_element(reference.values.begin(), reference.values.end()));
  EXPECT_NEAR(summary.median, reference.median, 1e-12);
  EXPECT_NEAR(summary.p90, reference.p90, 1e-12);
  EXPECT_NEAR(summary.p99, reference.p99, 1e-12);
  EXPECT_NEAR(summary.mean, reference.mean, 1e-12);
  EXPECT_NEAR(summary.stddev, reference.stddev, 1e-12);
  EXPECT_NEAR(summary.mad, reference.mad, 1e-12);
  EXPECT_NEAR(summary.mad_scaled, reference.mad_scaled, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(
    KnownAnswers, SummarizeMatchesNumpy,
    testing::Values(
        NumpyFigures{"OneSlowRepetition", with_one_slow_run, 12.149999999999999, 14.699999999999994, 28.470000000000002,
                     13.95, 5.651990799709426, 0.29999999999999805, 0.44478066555167767},
        NumpyFigures{"SevenUnevenValues",
                     {3.2, 0.7, 9.9, 4.4, 1.5, 2.6, 8.1},
                     3.2,
                     8.82,
                     9.792,
                     4.342857142857143,
                     3.4326166612159215,
                     1.7000000000000002,
                     2.5204237714595235},
        NumpyFigures{"TwoValues", {5.0, 6.0}, 5.5, 5.9, 5.99, 5.5, 0.7071067811865476, 0.5, 0.741301109252801}),
    [](const testing::TestParamInfo<NumpyFigures>& info) { return info.param.name; });

TEST(Summarize, FlagsTheSlowRunAndKeepsTheMedianIntervalAroundTheMedian) {
  const Summary summary = summarize(with_one_slow_run);
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
