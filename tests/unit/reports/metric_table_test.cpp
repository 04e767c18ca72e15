#include "reports/metric_table.hpp"

#include <gtest/gtest.h>

#include <set>

#include "sys/error.hpp"

namespace benchrun::reports {
namespace {

Sample sample_with(std::map<std::string, double> metrics, std::vector<WorkloadMetric> workload_metrics = {}) {
  Sample sample;
  sample.backend = "container";
  sample.metrics = std::move(metrics);
  sample.workload_result = WorkloadResult{};
  sample.workload_result->metrics = std::move(workload_metrics);
  return sample;
}

std::vector<std::string> names_of(const std::vector<MetricDef>& table) {
  std::vector<std::string> names;
  for (const MetricDef& row : table) names.push_back(row.name);
  return names;
}

TEST(KnownMetrics, EachHasAUniqueNameAUnitAndADescription) {
  std::set<std::string> names;
  for (const MetricDef& metric : known_metrics()) {
    EXPECT_TRUE(names.insert(metric.name).second) << metric.name << " twice";
    EXPECT_FALSE(metric.unit.empty()) << metric.name;
    EXPECT_FALSE(metric.description.empty()) << metric.name;
  }
  EXPECT_EQ(find_metric(known_metrics(), "workload_max_rss_mib")->unit, "MiB");
  EXPECT_EQ(find_metric(known_metrics(), "time_to_ready_ms")->better, Better::lower);
  EXPECT_EQ(find_metric(known_metrics(), "no_such_metric"), nullptr);
}

TEST(MetricTableFor, KnownRowsInKnownOrderThenTheWorkloadsInTheOrderTheyAppear) {
  const std::vector<Sample> samples = {
      sample_with({{"total_ms", 9.0}, {"ops", 5.0}}, {{"ops", 5.0, "ops/s", Better::higher}}),
      sample_with({{"time_to_ready_ms", 1.0}, {"latency", 2.0}, {"ops", 6.0}},
                  {{"latency", 2.0, "us", Better::lower}, {"ops", 6.0, "ops/s", Better::higher}}),
  };
  const MetricTable table = metric_table_for(samples);
  EXPECT_EQ(names_of(table.rows), (std::vector<std::string>{"time_to_ready_ms", "total_ms", "ops", "latency"}));
  EXPECT_EQ(table.rows[2].unit, "ops/s");
  EXPECT_EQ(table.rows[2].better, Better::higher);
  EXPECT_TRUE(table.conflicts.empty());
}

TEST(MetricTableFor, AWorkloadMetricThatChangesItsUnitKeepsTheFirstAndSaysSo) {
  const MetricTable table = metric_table_for({
      sample_with({{"ops", 5.0}}, {{"ops", 5.0, "ops/s", Better::higher}}),
      sample_with({{"ops", 5.0}}, {{"ops", 0.005, "ops/ms", Better::higher}}),
  });
  ASSERT_EQ(table.rows.size(), 1U);
  EXPECT_EQ(table.rows[0].unit, "ops/s");
  ASSERT_EQ(table.conflicts.size(), 1U);
  EXPECT_NE(table.conflicts[0].find("ops/ms"), std::string::npos) << table.conflicts[0];
}

TEST(MetricTableFor, AMetricOfNoTableIsAnErrorNamingIt) {
  try {
    (void)metric_table_for({sample_with({{"mystery_ms", 1.0}})});
    FAIL() << "a metric without a row was accepted";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("'mystery_ms'"), std::string::npos) << error.what();
  }
}

TEST(PhaseMetric, IsMillisecondsSinceLaunchLowerBetter) {
  const MetricDef phase = phase_metric("cloned");
  EXPECT_EQ(phase.name, "cloned");
  EXPECT_EQ(phase.unit, "ms");
  EXPECT_EQ(phase.better, Better::lower);
}

}  // namespace
}  // namespace benchrun::reports
