// The trend page: the runs with their verdicts, one chart per suite x case x metric, regressed runs marked,
// every text escaped, nothing fetched.
#include "reports/html/trend_page.hpp"

#include <gtest/gtest.h>

#include "reports/html/page.hpp"
#include "trend_runs.hpp"

namespace benchrun::reports::html {
namespace {

TrendRun night(const std::string& id, RunVerdict verdict, double factor) {
  return testing::example_trend_run(id, verdict, factor);
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

const std::vector<TrendRun> three_nights = {night("20261201T020000Z-startup", RunVerdict::good, 1.0),
                                            night("20261202T020000Z-startup", RunVerdict::regressed, 2.0),
                                            night("20261203T020000Z-startup", RunVerdict::good, 1.0)};

TEST(TrendPage, ListsEveryRunWithItsVerdictAndBannersTheRegressions) {
  const std::string page = render_trend_page(three_nights, "/var/lib/benchrun/history");
  EXPECT_NE(page.find("3 runs in /var/lib/benchrun/history, 20261201T020000Z to 20261203T020000Z"), std::string::npos);
  EXPECT_NE(page.find("1 of these 3 runs regressed against their baseline"), std::string::npos);
  for (const auto& run : three_nights) EXPECT_NE(page.find(run.run.id), std::string::npos) << run.run.id;
  EXPECT_NE(page.find("<td>regressed</td>"), std::string::npos);
  EXPECT_NE(page.find(content_security_policy), std::string::npos);
}

TEST(TrendPage, DrawsOneChartPerCaseAndMetricWithALinePerBackendAndStartMode) {
  const std::string page = render_trend_page(three_nights, "history");
  EXPECT_EQ(count_of(page, "<svg"), 1u);  // spin x time_to_ready_ms: native and container in one chart
  EXPECT_NE(page.find("spin · time_to_ready_ms"), std::string::npos);
  EXPECT_NE(page.find("native cold"), std::string::npos);
  EXPECT_NE(page.find("container cold"), std::string::npos);
  // One regressed run, two lines through it.
  EXPECT_EQ(count_of(page, "class=\"marked\""), 2u);
  EXPECT_NE(page.find("20261202T020000Z-startup: 2.50 ms [2.25, 2.75], regressed"), std::string::npos);
}

TEST(TrendPage, WithoutRegressionsNoPointIsMarkedAndNoBannerShows) {
  const std::vector<TrendRun> good = {night("20261201T020000Z-startup", RunVerdict::good, 1.0)};
  const std::string page = render_trend_page(good, "history");
  EXPECT_EQ(count_of(page, "class=\"marked\""), 0u);
  EXPECT_EQ(page.find("of these"), std::string::npos);
}

TEST(TrendPage, SuitesGetTheirOwnSectionAndChart) {
  std::vector<TrendRun> runs = three_nights;
  runs.push_back(night("20261203T030000Z-density", RunVerdict::good, 1.0));
  const std::string page = render_trend_page(runs, "history");
  EXPECT_EQ(count_of(page, "<svg"), 2u);
  EXPECT_NE(page.find(">density</h2>"), std::string::npos);
  EXPECT_NE(page.find(">startup</h2>"), std::string::npos);
}

TEST(TrendPage, EscapesWhatTheReportsSay) {
  std::vector<TrendRun> runs = three_nights;
  for (TrendRun& run : runs) {
    for (MetricSummary& row : run.report.summaries) row.case_name = "<script>x</script>";
    run.report.environment.git_commit = "<b>";
  }
  const std::string page = render_trend_page(runs, "<history>");
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_EQ(page.find("<b>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;"), std::string::npos);
}

}  // namespace
}  // namespace benchrun::reports::html
