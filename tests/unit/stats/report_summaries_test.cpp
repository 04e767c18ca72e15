#include "stats/report_summaries.hpp"

#include <gtest/gtest.h>

#include "reports/metric_table.hpp"
#include "sys/error.hpp"

namespace benchrun::stats {
namespace {

reports::Sample sample(const std::string& backend, int repetition, double time_to_ready_ms, bool warmup = false,
                       bool ok = true) {
  reports::Sample made;
  made.backend = backend;
  made.case_name = "hello";
  made.repetition = repetition;
  made.warmup = warmup;
  made.ok = ok;
  if (!ok) made.failure = reports::Failure{reports::FailureKind::timeout, "timed out"};
  made.metrics["time_to_ready_ms"] = time_to_ready_ms;
  return made;
}

const std::vector<reports::BackendInfo> native_and_container = {
    {"native", reports::BackendKind::native, {}, std::nullopt},
    {"container", reports::BackendKind::container, {}, std::nullopt}};

// A report of these samples with its metric table, as the harness builds it.
reports::Report report_of(std::vector<reports::Sample> samples,
                          const std::vector<reports::BackendInfo>& backends = native_and_container) {
  reports::Report report;
  report.backends = backends;
  report.samples = std::move(samples);
  report.metrics = reports::metric_table_for(report.samples).rows;
  return report;
}

TEST(SummarizeSamples, LeavesOutWarmupAndFailedSamplesAndRatesAgainstNative) {
  const std::vector<reports::Sample> samples = {
      sample("native", 0, 100.0, /*warmup=*/true),
      sample("container", 0, 900.0, /*warmup=*/true),
      sample("native", 0, 2.0),
      sample("container", 0, 5.0),
      sample("native", 1, 4.0),
      sample("container", 1, 7.0),
      sample("native", 2, 3.0),
      sample("container", 2, 1000.0, false, /*ok=*/false),
  };
  const auto rows = summarize_samples(report_of(samples));
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[0].backend, "native");
  EXPECT_EQ(rows[0].metric, "time_to_ready_ms");
  EXPECT_EQ(rows[0].unit, "ms");
  EXPECT_EQ(rows[0].summary.count, 3U);
  EXPECT_EQ(rows[0].summary.median, 3.0);
  EXPECT_FALSE(rows[0].ratio_to_native.has_value());
  EXPECT_EQ(rows[1].backend, "container");
  EXPECT_EQ(rows[1].summary.count, 2U);
  EXPECT_EQ(rows[1].summary.median, 6.0);
  ASSERT_TRUE(rows[1].ratio_to_native.has_value());
  EXPECT_DOUBLE_EQ(*rows[1].ratio_to_native, 2.0);
}

TEST(SummarizeSamples, OutliersAreReportedAsRepetitions) {
  std::vector<reports::Sample> samples;
  const double values[] = {12.1, 11.8, 12.5, 13.0, 11.9, 12.2, 30.0, 12.0, 12.3, 11.7};
  for (int repetition = 0; repetition < 10; ++repetition) {
    // A failed repetition 3 shifts indices: the outlier's index is 5 but its repetition is 6.
    if (repetition == 3) continue;
    samples.push_back(sample("native", repetition, values[repetition]));
  }
  const auto rows = summarize_samples(report_of(samples));
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].summary.outlier_repetitions, (std::vector<int>{6}));
}

TEST(SummarizeSamples, InAMergedReportEachHostIsRatedAgainstItsOwnNative) {
  const auto on = [](const std::string& host, const std::string& name, reports::BackendKind kind) {
    return reports::BackendInfo{host + "/" + name, kind, {}, host};
  };
  const std::vector<reports::BackendInfo> fleet = {
      on("lab1", "native", reports::BackendKind::native), on("lab1", "container", reports::BackendKind::container),
      on("lab2", "native", reports::BackendKind::native), on("lab2", "container", reports::BackendKind::container),
      on("lab3", "container", reports::BackendKind::container)};
  const auto rows = summarize_samples(
      report_of({sample("lab1/native", 0, 2.0), sample("lab1/container", 0, 4.0), sample("lab2/native", 0, 10.0),
                 sample("lab2/container", 0, 15.0), sample("lab3/container", 0, 30.0)},
                fleet));
  ASSERT_EQ(rows.size(), 5U);
  EXPECT_EQ(rows[1].backend, "lab1/container");
  ASSERT_TRUE(rows[1].ratio_to_native.has_value());
  EXPECT_DOUBLE_EQ(*rows[1].ratio_to_native, 2.0);
  EXPECT_EQ(rows[3].backend, "lab2/container");
  ASSERT_TRUE(rows[3].ratio_to_native.has_value());
  EXPECT_DOUBLE_EQ(*rows[3].ratio_to_native, 1.5);
  EXPECT_EQ(rows[4].backend, "lab3/container");
  EXPECT_FALSE(rows[4].ratio_to_native.has_value()) << "lab3 has no native of its own";
}

TEST(SummarizeSamples, NoNativeBackendMeansNoRatio) {
  const std::vector<reports::BackendInfo> container_only = {
      {"container", reports::BackendKind::container, {}, std::nullopt}};
  const auto rows = summarize_samples(report_of({sample("container", 0, 5.0)}, container_only));
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_FALSE(rows[0].ratio_to_native.has_value());
}

TEST(SummarizeSamples, MetricsComeInMetricTableOrderWithBackendsInPlanOrder) {
  reports::Sample native = sample("native", 0, 1.0);
  native.metrics["teardown_ms"] = 0.5;
  reports::Sample container = sample("container", 0, 2.0);
  container.metrics["teardown_ms"] = 1.5;
  const auto rows = summarize_samples(report_of({container, native}));
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[0].metric, "time_to_ready_ms");
  EXPECT_EQ(rows[0].backend, "native");
  EXPECT_EQ(rows[1].backend, "container");
  EXPECT_EQ(rows[2].metric, "teardown_ms");
  EXPECT_EQ(rows[3].backend, "container");
  EXPECT_DOUBLE_EQ(*rows[3].ratio_to_native, 3.0);
}

reports::Sample started(const std::string& backend, int repetition, reports::StartMode mode, double time_to_ready_ms) {
  reports::Sample made = sample(backend, repetition, time_to_ready_ms);
  made.start_mode = mode;
  return made;
}

TEST(SummarizeSamples, OneRowPerBackendAndStartModeAndRatiosCompareLikeWithLike) {
  using reports::StartMode;
  const std::vector<reports::Sample> samples = {
      started("native", 0, StartMode::cold, 2.0),
      started("native", 0, StartMode::warm, 1.0),
      started("container", 0, StartMode::cold, 16.0),
      started("container", 0, StartMode::warm, 3.0),
  };
  const auto rows = summarize_samples(report_of(samples));
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[0].backend, "native");
  EXPECT_EQ(rows[0].start_mode, StartMode::cold);
  EXPECT_EQ(rows[1].backend, "native");
  EXPECT_EQ(rows[1].start_mode, StartMode::warm);
  EXPECT_EQ(rows[2].backend, "container");
  EXPECT_EQ(rows[2].start_mode, StartMode::cold);
  EXPECT_DOUBLE_EQ(*rows[2].ratio_to_native, 8.0) << "cold against native cold";
  EXPECT_EQ(rows[3].start_mode, StartMode::warm);
  EXPECT_DOUBLE_EQ(*rows[3].ratio_to_native, 3.0) << "warm against native warm";
}

TEST(SummarizeSamples, AModeNativeDidNotMeasureHasNoRatio) {
  using reports::StartMode;
  const auto rows = summarize_samples(
      report_of({started("native", 0, StartMode::warm, 1.0), started("container", 0, StartMode::cold, 9.0)}));
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_FALSE(rows[1].ratio_to_native.has_value());
}

TEST(SummarizePhases, MedianOfEachPhasePerBackendAndStartModeWithoutRatio) {
  using reports::StartMode;
  std::vector<reports::Sample> samples;
  for (int repetition = 0; repetition < 3; ++repetition) {
    reports::Sample cold = started("container", repetition, StartMode::cold, 15.0);
    cold.phases = {{"cloned", 1.0 + repetition}, {"cgroup_ready", 13.0 + repetition}};
    reports::Sample warm = started("container", repetition, StartMode::warm, 3.0);
    warm.phases = {{"cloned", 1.0}, {"cgroup_ready", 1.5}};
    samples.push_back(cold);
    samples.push_back(warm);
  }
  samples.push_back(started("container", 0, StartMode::cold, 1.0));
  samples.back().warmup = true;
  samples.back().phases = {{"cgroup_ready", 500.0}};

  const auto rows = summarize_phases(report_of(samples));
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[0].metric, "cgroup_ready");
  EXPECT_EQ(rows[0].start_mode, StartMode::cold);
  EXPECT_EQ(rows[0].unit, "ms");
  EXPECT_EQ(rows[0].summary.count, 3U) << "warm-up samples are left out";
  EXPECT_DOUBLE_EQ(rows[0].summary.median, 14.0);
  EXPECT_EQ(rows[1].start_mode, StartMode::warm);
  EXPECT_DOUBLE_EQ(rows[1].summary.median, 1.5);
  EXPECT_EQ(rows[2].metric, "cloned");
  for (const auto& row : rows) EXPECT_FALSE(row.ratio_to_native.has_value());
}

TEST(SummarizeSamples, SamplesWithoutAStartModeStillSummarize) {
  const auto rows = summarize_samples(report_of({sample("native", 0, 2.0), sample("container", 0, 4.0)}));
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_FALSE(rows[1].start_mode.has_value());
  EXPECT_DOUBLE_EQ(*rows[1].ratio_to_native, 2.0);
}

reports::Sample of_case(const std::string& backend, const std::string& case_name, double time_to_ready_ms) {
  reports::Sample made = sample(backend, 0, time_to_ready_ms);
  made.case_name = case_name;
  return made;
}

TEST(SummarizeSamples, OneRowPerCaseInTheOptionsOrderAndRatiosCompareTheSameCase) {
  reports::Report report = report_of({of_case("native", "spin", 10.0), of_case("native", "hello", 1.0),
                                      of_case("container", "hello", 4.0), of_case("container", "spin", 20.0)});
  report.options.cases = {{"spin", "spin", {"100"}, {}}, {"hello", "hello", {}, {}}};
  const auto rows = summarize_samples(report);
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[0].case_name, "spin");
  EXPECT_EQ(rows[1].case_name, "hello");
  EXPECT_EQ(rows[2].backend, "container");
  EXPECT_EQ(rows[2].case_name, "spin");
  EXPECT_DOUBLE_EQ(*rows[2].ratio_to_native, 2.0) << "spin against native spin";
  EXPECT_DOUBLE_EQ(*rows[3].ratio_to_native, 4.0) << "hello against native hello";
}

TEST(SummarizeSamples, AWorkloadMetricTakesItsUnitFromTheMetricTable) {
  reports::Sample measured = sample("native", 0, 1.0);
  measured.metrics["spin_rate"] = 3e7;
  measured.workload_result = reports::WorkloadResult{};
  measured.workload_result->metrics = {{"spin_rate", 3e7, "iterations/s", reports::Better::higher}};
  const auto rows = summarize_samples(report_of({measured}));
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_EQ(rows[1].metric, "spin_rate");
  EXPECT_EQ(rows[1].unit, "iterations/s");
}

TEST(SummarizeSamples, AMetricWithoutATableRowIsAnError) {
  reports::Report report = report_of({sample("native", 0, 1.0)});
  report.metrics.clear();
  EXPECT_THROW(summarize_samples(report), sys::Error);
}

TEST(RatioToNativeInterval, BracketsTheRatioOfMediansFromTheSamplesOfBothSides) {
  const reports::Report report =
      report_of({sample("native", 0, 2.0), sample("container", 0, 5.0), sample("native", 1, 4.0),
                 sample("container", 1, 7.0), sample("native", 2, 3.0), sample("container", 2, 6.0)});
  const auto rows = summarize_samples(report);
  ASSERT_EQ(rows.size(), 2U);
  EXPECT_FALSE(ratio_to_native_interval(report, rows[0]).has_value()) << "native has no ratio";
  const auto interval = ratio_to_native_interval(report, rows[1]);
  ASSERT_TRUE(interval.has_value());
  EXPECT_LE(interval->low, *rows[1].ratio_to_native);
  EXPECT_GE(interval->high, *rows[1].ratio_to_native);
  EXPECT_GE(interval->low, 5.0 / 4.0);   // the smallest ratio any resample can give
  EXPECT_LE(interval->high, 7.0 / 2.0);  // and the largest
  EXPECT_LT(interval->low, interval->high);
}

TEST(RatioToNativeInterval, NoneWhenANativeSampleIsZero) {
  reports::Report report = report_of(
      {sample("native", 0, 0.0), sample("native", 1, 4.0), sample("native", 2, 3.0), sample("container", 0, 5.0)});
  const auto rows = summarize_samples(report);
  ASSERT_EQ(rows.size(), 2U);
  ASSERT_TRUE(rows[1].ratio_to_native.has_value());  // native's median is 3
  EXPECT_FALSE(ratio_to_native_interval(report, rows[1]).has_value());
}

}  // namespace
}  // namespace benchrun::stats
