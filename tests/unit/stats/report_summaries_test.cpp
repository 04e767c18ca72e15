#include "harness/stats/report_summaries.hpp"

#include <gtest/gtest.h>

namespace benchrun::stats {
namespace {

reports::Sample sample(const std::string& backend, int repetition, double time_to_ready_ms, bool warmup = false,
                       bool ok = true) {
  reports::Sample made;
  made.backend = backend;
  made.repetition = repetition;
  made.warmup = warmup;
  made.ok = ok;
  if (!ok) made.failure = reports::Failure{reports::FailureKind::timeout, "timed out"};
  made.metrics["time_to_ready_ms"] = time_to_ready_ms;
  return made;
}

const std::vector<reports::BackendInfo> native_and_container = {
    {"native", reports::BackendKind::native, {}}, {"container", reports::BackendKind::container, {}}};

TEST(SummarizeSamples, LeavesOutWarmupAndFailedSamplesAndRatesAgainstNative) {
  const std::vector<reports::Sample> samples = {
      sample("native", 0, 100.0, /*warmup=*/true), sample("container", 0, 900.0, /*warmup=*/true),
      sample("native", 0, 2.0),                    sample("container", 0, 5.0),
      sample("native", 1, 4.0),                    sample("container", 1, 7.0),
      sample("native", 2, 3.0),                    sample("container", 2, 1000.0, false, /*ok=*/false),
  };
  const auto rows = summarize_samples(samples, native_and_container);
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
  const auto rows = summarize_samples(samples, native_and_container);
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].summary.outlier_repetitions, (std::vector<int>{6}));
}

TEST(SummarizeSamples, NoNativeBackendMeansNoRatio) {
  const std::vector<reports::BackendInfo> container_only = {{"container", reports::BackendKind::container, {}}};
  const auto rows = summarize_samples({sample("container", 0, 5.0)}, container_only);
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_FALSE(rows[0].ratio_to_native.has_value());
}

TEST(SummarizeSamples, MetricsComeInNameOrderWithBackendsInPlanOrder) {
  reports::Sample native = sample("native", 0, 1.0);
  native.metrics["teardown_ms"] = 0.5;
  reports::Sample container = sample("container", 0, 2.0);
  container.metrics["teardown_ms"] = 1.5;
  const auto rows = summarize_samples({container, native}, native_and_container);
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[0].metric, "teardown_ms");
  EXPECT_EQ(rows[0].backend, "native");
  EXPECT_EQ(rows[1].backend, "container");
  EXPECT_DOUBLE_EQ(*rows[1].ratio_to_native, 3.0);
  EXPECT_EQ(rows[2].metric, "time_to_ready_ms");
}

}  // namespace
}  // namespace benchrun::stats
