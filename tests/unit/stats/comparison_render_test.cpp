// The forms of a comparison (stats/comparison_render.hpp) on a ComparisonReport built here: the terminal table, the
// JSON document against reports/schema/comparison.schema.json, Markdown for a CI comment and the HTML page.
#include "stats/comparison_render.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>

#include "sys/error.hpp"
#include "tests/support/json_schema.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::stats {
namespace {

using nlohmann::json;

ComparisonRow row_of(const std::string& backend, const std::string& metric, double baseline, double current,
                     Change change) {
  ComparisonRow row;
  row.backend = backend;
  row.case_name = "hello";
  row.start_mode = reports::StartMode::cold;
  row.metric = metric;
  row.unit = "ms";
  row.baseline_count = 10;
  row.current_count = 10;
  row.baseline_median = baseline;
  row.current_median = current;
  row.ratio = current / baseline;
  row.ratio_interval = {row.ratio * 0.9, row.ratio * 1.1};
  row.p_value = change == Change::unchanged ? 0.5 : 0.001;
  row.change = change;
  return row;
}

// Three rows in the comparison's order (backend, case, start, metric): an improvement, a regression of a metric
// where higher is better, and noise from a weak test of a v1 report (no start mode).
ComparisonReport example_comparison() {
  ComparisonReport report;
  report.suite = "startup";
  report.baseline = {"base/report.json", "20260101-000000-aaaa", "2026-01-01T00:00:00Z"};
  report.current = {"cur/report.json", "20260102-000000-bbbb", "2026-01-02T00:00:00Z"};
  report.comparison.rows.push_back(row_of("container", "time_to_ready_ms", 4.0, 3.0, Change::improved));
  ComparisonRow rate = row_of("native", "spin_rate", 200.0, 150.0, Change::regressed);
  rate.better = reports::Better::higher;
  rate.unit = "count";
  report.comparison.rows.push_back(rate);
  ComparisonRow weak = row_of("native", "time_to_ready_ms", 2.0, 2.01, Change::unchanged);
  weak.start_mode.reset();
  weak.baseline_count = 3;
  report.comparison.rows.push_back(weak);
  report.comparison.warnings.push_back("native hello - time_to_ready_ms: 3 baseline and 10 current samples: weak");
  return report;
}

TEST(ComparisonTable, HasAColumnPerFieldTheWarningsAndTheCounts) {
  const std::string table = render_comparison_table(example_comparison());
  EXPECT_NE(table.find("backend    case   start  metric"), std::string::npos) << table;
  EXPECT_NE(table.find("95% CI of ratio"), std::string::npos) << table;
  EXPECT_NE(table.find("spin_rate (higher is better)"), std::string::npos) << table;
  EXPECT_NE(table.find("[0.675, 0.825]"), std::string::npos) << table;
  EXPECT_NE(table.find("warning: native hello - time_to_ready_ms"), std::string::npos) << table;
  EXPECT_TRUE(table.ends_with("1 regressed, 1 improved, 1 unchanged (threshold 5%, alpha 0.05)\n")) << table;
}

TEST(ComparisonJson, CarriesEveryFieldOfEveryRow) {
  const json document = json::parse(comparison_to_json_text(example_comparison()));
  EXPECT_EQ(document.at("schema_version"), "benchrun.comparison/1");
  EXPECT_EQ(document.at("suite"), "startup");
  EXPECT_EQ(document.at("baseline").at("run_id"), "20260101-000000-aaaa");
  EXPECT_EQ(document.at("options").at("threshold"), 0.05);
  EXPECT_EQ(document.at("options").at("weak_test_samples"), weak_test_samples);
  ASSERT_EQ(document.at("rows").size(), 3u);
  const json& rate = document.at("rows").at(1);
  EXPECT_EQ(rate.at("backend"), "native");
  EXPECT_EQ(rate.at("start_mode"), "cold");
  EXPECT_EQ(rate.at("better"), "higher");
  EXPECT_EQ(rate.at("ratio"), 0.75);
  EXPECT_EQ(rate.at("ratio_ci").at("low"), 0.75 * 0.9);
  EXPECT_EQ(rate.at("p_value"), 0.001);
  EXPECT_EQ(rate.at("change"), "regressed");
  EXPECT_EQ(rate.at("weak_test"), false);
  EXPECT_TRUE(document.at("rows").at(2).at("start_mode").is_null());
  EXPECT_EQ(document.at("rows").at(2).at("weak_test"), true);
  EXPECT_EQ(document.at("warnings").size(), 1u);
  EXPECT_EQ(document.at("counts"), (json{{"regressed", 1}, {"improved", 1}, {"unchanged", 1}}));
  EXPECT_EQ(document.at("regressed"), true);
}

TEST(ComparisonJson, RefusesANonFiniteFigureNamingIt) {
  ComparisonReport report = example_comparison();
  report.comparison.rows[0].ratio = std::numeric_limits<double>::infinity();
  try {
    comparison_to_json_text(report);
    FAIL() << "an infinite ratio was written";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("container hello time_to_ready_ms: ratio is not finite"),
              std::string::npos)
        << error.what();
  }
}

class ComparisonSchema : public ::testing::Test {
 protected:
  std::string complaint_about(const json& document) {
    const auto path = dir_.path() / "comparison.json";
    std::ofstream(path) << document.dump(2);
    return testing::schema_complaint(
        path, std::filesystem::path(BENCHRUN_SOURCE_DIR) / "reports/schema/comparison.schema.json");
  }

  testing::TempDir dir_;
};

TEST_F(ComparisonSchema, AcceptsWhatTheWriterWrites) {
  EXPECT_EQ(complaint_about(json::parse(comparison_to_json_text(example_comparison()))), "");
}

TEST_F(ComparisonSchema, RejectsEachDefect) {
  const std::pair<const char*, std::function<void(json&)>> defects[] = {
      {"another schema version", [](json& document) { document["schema_version"] = "benchrun.comparison/2"; }},
      {"a missing row field", [](json& document) { document["rows"][0].erase("p_value"); }},
      {"an unknown key", [](json& document) { document["rows"][0]["verdict"] = "regressed"; }},
      {"a change outside the enum", [](json& document) { document["rows"][0]["change"] = "worse"; }},
      {"a p-value above 1", [](json& document) { document["rows"][0]["p_value"] = 1.5; }},
      {"a count as text", [](json& document) { document["counts"]["regressed"] = "1"; }},
      {"an interval without its high end", [](json& document) { document["rows"][0]["ratio_ci"].erase("high"); }},
  };
  for (const auto& [what, apply] : defects) {
    json document = json::parse(comparison_to_json_text(example_comparison()));
    apply(document);
    EXPECT_NE(complaint_about(document), "") << what << " passed the schema";
  }
}

// Each of `parts` is in `text`, each after the one before.
void expect_in_order(const std::string& text, const std::vector<std::string>& parts) {
  std::size_t previous = 0;
  for (const std::string& part : parts) {
    const auto found = text.find(part);
    ASSERT_NE(found, std::string::npos) << part << " in " << text;
    EXPECT_GE(found, previous) << part << " comes too early";
    previous = found;
  }
}

TEST(ComparisonMarkdown, PutsRegressionsFirstAndInBold) {
  const std::string markdown = render_comparison_markdown(example_comparison());
  EXPECT_TRUE(markdown.starts_with("### benchrun compare: regression\n")) << markdown;
  EXPECT_NE(markdown.find("| --- | --- | --- | --- | ---: |"), std::string::npos) << markdown;
  expect_in_order(markdown,
                  {"| **native** | **hello** | **cold** | **spin_rate (higher is better)** |",
                   "| container | hello | cold | time_to_ready_ms |", "| native | hello | - | time_to_ready_ms |"});
  EXPECT_NE(markdown.find("- warning: native hello"), std::string::npos) << markdown;
}

TEST(ComparisonMarkdown, EscapesAPipeInACell) {
  ComparisonReport report = example_comparison();
  report.comparison.rows[0].case_name = "a|b";
  EXPECT_NE(render_comparison_markdown(report).find("| a\\|b |"), std::string::npos);
}

TEST(ComparisonMarkdown, SaysSoWhenNothingRegressed) {
  ComparisonReport report = example_comparison();
  report.comparison.rows.erase(report.comparison.rows.begin() + 1);
  EXPECT_TRUE(render_comparison_markdown(report).starts_with("### benchrun compare: no regression\n"));
}

TEST(ComparisonHtml, IsOneSelfContainedPageWithRegressionsFirstAndHighlighted) {
  ComparisonReport report = example_comparison();
  report.comparison.rows[0].case_name = "<script>alert(1)</script>";
  const std::string html = render_comparison_html(report);
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>")) << html;
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "an unescaped cell or a script";
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  for (const char* external : {"src=", "href=\"http", "url("}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
  expect_in_order(html, {"<h3>regressed (1)</h3>\n<div style=\"border-left:4px solid #a00",
                         "<h3>improved (1)</h3>\n<div style=\"border-left:4px solid #1a7f37",
                         "<h3>unchanged (1)</h3>\n<div class=\"table-wrap\">"});
  EXPECT_NE(html.find("Regression: 1 regressed, 1 improved, 1 unchanged"), std::string::npos);
}

std::size_t occurrences(const std::string& text, const std::string& word) {
  std::size_t count = 0;
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++count;
  return count;
}

TEST(ComparisonHtml, DrawsOneRatioChartPerMetricWithTheThresholdBand) {
  const std::string html = render_comparison_html(example_comparison());
  EXPECT_EQ(occurrences(html, "<svg"), 2u) << "spin_rate and time_to_ready_ms";
  EXPECT_GE(occurrences(html, "±5% threshold"), 2u) << html;
  EXPECT_NE(html.find("native hello cold: regressed"), std::string::npos) << html;
}

}  // namespace
}  // namespace benchrun::stats
