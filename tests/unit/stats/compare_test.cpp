// stats::compare_reports on reports built here. Mann-Whitney p-values are those of mann_whitney_test.cpp, from
// scipy.stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic") (use_continuity=True).
#include "stats/compare.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

using reports::Better;

// 8 values, median 4.95, against `slower` (9 values, median 11): p = 0.02374139453072586 either way round.
const std::vector<double> faster = {1.1, 2.2, 3.3, 4.4, 5.5, 6.6, 7.7, 8.8};
const std::vector<double> slower = {3.0, 5.0, 7.0, 9.0, 11.0, 13.0, 15.0, 17.0, 19.0};
constexpr double shifted_p = 0.02374139453072586;
// 9 values each, both medians 10.1: p = 0.8589522220671553.
const std::vector<double> noise_a = {10.0, 10.5, 9.8, 10.2, 10.1, 9.9, 10.3, 10.0, 10.4};
const std::vector<double> noise_b = {10.1, 10.6, 9.7, 10.2, 10.0, 9.9, 10.3, 10.1, 10.5};

// A report of suite "startup" whose container/hello/cold samples carry `metric` = each of `values`.
reports::Report report_of(const std::vector<double>& values, const std::string& metric = "time_to_ready_ms",
                          Better better = Better::lower) {
  reports::Report report;
  report.options.suite = "startup";
  report.metrics.push_back({metric, "ms", better, ""});
  for (std::size_t i = 0; i < values.size(); ++i) {
    reports::Sample sample;
    sample.backend = "container";
    sample.case_name = "hello";
    sample.repetition = static_cast<int>(i);
    sample.start_mode = reports::StartMode::cold;
    sample.ok = true;
    sample.metrics[metric] = values[i];
    report.samples.push_back(sample);
  }
  return report;
}

const ComparisonRow& only_row(const Comparison& comparison) {
  EXPECT_EQ(comparison.rows.size(), 1u);
  return comparison.rows.at(0);
}

TEST(CompareReports, AClearlySlowerRunRegresses) {
  const Comparison comparison = compare_reports(report_of(faster), report_of(slower));
  const ComparisonRow& row = only_row(comparison);
  EXPECT_EQ(row.backend, "container");
  EXPECT_EQ(row.case_name, "hello");
  EXPECT_EQ(row.start_mode, reports::StartMode::cold);
  EXPECT_EQ(row.metric, "time_to_ready_ms");
  EXPECT_EQ(row.unit, "ms");
  EXPECT_DOUBLE_EQ(row.baseline_median, 4.95);
  EXPECT_DOUBLE_EQ(row.current_median, 11.0);
  EXPECT_DOUBLE_EQ(row.ratio, 11.0 / 4.95);
  EXPECT_NEAR(row.p_value, shifted_p, 1e-12);
  EXPECT_LE(row.ratio_interval.low, row.ratio);
  EXPECT_GE(row.ratio_interval.high, row.ratio);
  EXPECT_EQ(row.change, Change::regressed);
}

TEST(CompareReports, AClearlyFasterRunImproves) {
  const ComparisonRow& row = only_row(compare_reports(report_of(slower), report_of(faster)));
  EXPECT_DOUBLE_EQ(row.ratio, 4.95 / 11.0);
  EXPECT_NEAR(row.p_value, shifted_p, 1e-12);
  EXPECT_EQ(row.change, Change::improved);
}

TEST(CompareReports, NoiseIsUnchanged) {
  const Comparison comparison = compare_reports(report_of(noise_a), report_of(noise_b));
  const ComparisonRow& row = only_row(comparison);
  EXPECT_DOUBLE_EQ(row.ratio, 1.0);
  EXPECT_NEAR(row.p_value, 0.8589522220671553, 1e-12);
  EXPECT_EQ(row.change, Change::unchanged);
  EXPECT_TRUE(comparison.warnings.empty()) << comparison.warnings.front();
}

TEST(CompareReports, WhereHigherIsBetterARiseImproves) {
  const ComparisonRow& rise = only_row(
      compare_reports(report_of(faster, "ops_per_s", Better::higher), report_of(slower, "ops_per_s", Better::higher)));
  EXPECT_EQ(rise.better, Better::higher);
  EXPECT_EQ(rise.change, Change::improved);
  const ComparisonRow& fall = only_row(
      compare_reports(report_of(slower, "ops_per_s", Better::higher), report_of(faster, "ops_per_s", Better::higher)));
  EXPECT_EQ(fall.change, Change::regressed);
}

TEST(CompareReports, AChangeWithinTheThresholdIsUnchanged) {
  CompareOptions options;
  options.threshold = 1.5;  // the ratio 2.22 is within 1 +/- 150 %
  EXPECT_EQ(only_row(compare_reports(report_of(faster), report_of(slower), options)).change, Change::unchanged);
  options.threshold = 1.0;  // and beyond 1 + 100 %
  EXPECT_EQ(only_row(compare_reports(report_of(faster), report_of(slower), options)).change, Change::regressed);
}

TEST(CompareReports, AChangeWithAPValueAboveAlphaIsUnchanged) {
  CompareOptions options;
  options.alpha = 0.01;  // p = 0.0237
  EXPECT_EQ(only_row(compare_reports(report_of(faster), report_of(slower), options)).change, Change::unchanged);
}

TEST(CompareReports, FewerThanNineSamplesOnASideWarnsOfAWeakTest) {
  const Comparison comparison = compare_reports(report_of(faster), report_of(slower));
  ASSERT_EQ(comparison.warnings.size(), 1u);
  EXPECT_NE(comparison.warnings.front().find("8 baseline and 9 current samples"), std::string::npos)
      << comparison.warnings.front();
  EXPECT_NE(comparison.warnings.front().find("weak test"), std::string::npos);
}

TEST(CompareReports, UsesOnlyMeasuredOkSamples) {
  reports::Report current = report_of(slower);
  reports::Sample warmup = current.samples.front();
  warmup.warmup = true;
  warmup.metrics["time_to_ready_ms"] = 1000.0;
  reports::Sample failed = current.samples.front();
  failed.ok = false;
  failed.failure = reports::Failure{reports::FailureKind::timeout, "timed out"};
  failed.metrics["time_to_ready_ms"] = 1000.0;
  current.samples.push_back(warmup);
  current.samples.push_back(failed);
  const ComparisonRow& row = only_row(compare_reports(report_of(faster), current));
  EXPECT_EQ(row.current_count, slower.size());
  EXPECT_DOUBLE_EQ(row.current_median, 11.0);
}

TEST(CompareReports, TheSameInputsGiveTheSameInterval) {
  const Interval first = only_row(compare_reports(report_of(faster), report_of(slower))).ratio_interval;
  const Interval second = only_row(compare_reports(report_of(faster), report_of(slower))).ratio_interval;
  EXPECT_EQ(first.low, second.low);
  EXPECT_EQ(first.high, second.high);
}

TEST(CompareReports, NoMetricInCommonIsAnError) {
  EXPECT_THROW(compare_reports(report_of(faster, "time_to_ready_ms"), report_of(slower, "teardown_ms")), sys::Error);
}

TEST(CompareReports, DifferentSuitesAreAnError) {
  reports::Report other = report_of(slower);
  other.options.suite = "density";
  EXPECT_THROW(compare_reports(report_of(faster), other), sys::Error);
}

}  // namespace
}  // namespace benchrun::stats
