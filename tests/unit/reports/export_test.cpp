// The exports through their public renderers and write_export, on the example report.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "reports/export/export.hpp"
#include "reports/metric_table.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "test_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::reports {
namespace {

using testing::example_report;
using testing::example_report_with_checks;
using ::testing::HasSubstr;
using testing::lines_of;

TEST(ExportSpec, ParsesKindAndFile) {
  const ExportSpec spec = parse_export_spec("github-action:out/bench:1.json");
  EXPECT_EQ(spec.kind, ExportKind::github_action);
  EXPECT_EQ(spec.file, "out/bench:1.json");  // only the first colon separates
  EXPECT_EQ(parse_export_spec("gbench:g.json").kind, ExportKind::gbench);
  EXPECT_EQ(parse_export_spec("markdown:t.md").kind, ExportKind::markdown);
  EXPECT_EQ(parse_export_spec("csv:s.csv").kind, ExportKind::csv);
}

TEST(ExportSpec, BadSpecNamesTheKinds) {
  for (const char* spec : {"xml:out.xml", "csv", "csv:", ":out.csv"}) {
    try {
      parse_export_spec(spec);
      ADD_FAILURE() << spec << " was accepted";
    } catch (const sys::Error& error) {
      EXPECT_THAT(error.what(), HasSubstr(spec));
      EXPECT_THAT(error.what(), HasSubstr("gbench, github-action, markdown, csv"));
    }
  }
}

// What Google Benchmark's tools/compare.py reads: benchmarks[] with name, run_type, real_time, cpu_time and
// time_unit; repetitions for the U test.
TEST(GbenchExport, OneIterationPerMeasuredOkSampleAndTimeMetric) {
  const nlohmann::json document = nlohmann::json::parse(render_gbench(example_report_with_checks()).text);
  EXPECT_EQ(document["context"]["host_name"], example_report().environment.hostname);
  EXPECT_EQ(document["context"]["mhz_per_cpu"], 0);
  EXPECT_EQ(document["context"]["json_schema_version"], 1);
  EXPECT_TRUE(document["context"]["caches"].is_array());
  const nlohmann::json& benchmarks = document["benchmarks"];
  // Two measured ok samples (native, container) x three ms metrics; the warm-up, the failures and
  // spin_rate (iterations/s) stay out.
  ASSERT_EQ(benchmarks.size(), 6U);
  const nlohmann::json* container_ready = nullptr;
  for (const nlohmann::json& entry : benchmarks) {
    EXPECT_EQ(entry["run_type"], "iteration");
    EXPECT_EQ(entry["time_unit"], "ms");
    EXPECT_EQ(entry["run_name"], entry["name"]);
    EXPECT_EQ(entry["iterations"], 1);
    EXPECT_EQ(entry["threads"], 1);
    EXPECT_EQ(entry["repetitions"], 1);
    EXPECT_EQ(entry["repetition_index"], 0);
    EXPECT_EQ(entry["cpu_time"], entry["real_time"]);  // no cpu_time_ms in these samples
    EXPECT_THAT(entry["name"].get<std::string>(), ::testing::Not(HasSubstr("spin_rate")));
    if (entry["name"] == "startup/container/spin/cold/time_to_ready_ms") container_ready = &entry;
  }
  ASSERT_NE(container_ready, nullptr);
  EXPECT_EQ((*container_ready)["real_time"], 3.75);
}

TEST(GbenchExport, RepetitionsCountTheSamplesOfOneNameAndCpuTimeIsTaken) {
  Report report = example_report();
  report.samples[1].metrics["cpu_time_ms"] = 0.75;
  Sample again = report.samples[1];
  again.repetition = 1;
  report.samples.push_back(again);
  report.metrics = metric_table_for(report.samples).rows;
  const nlohmann::json document = nlohmann::json::parse(render_gbench(report).text);
  std::vector<int> indexes;
  for (const nlohmann::json& entry : document["benchmarks"]) {
    if (entry["name"] != "startup/native/spin/cold/time_to_ready_ms") continue;
    EXPECT_EQ(entry["repetitions"], 2);
    EXPECT_EQ(entry["cpu_time"], 0.75);
    indexes.push_back(entry["repetition_index"]);
  }
  EXPECT_EQ(indexes, (std::vector<int>{0, 1}));
}

TEST(CsvExport, OneRowPerSampleAndMetricWithQuoting) {
  Report report = example_report();
  report.samples[1].case_name = "say \"hi\", twice";
  const std::vector<std::string> lines = lines_of(render_csv(report).text);
  std::size_t metric_count = 0;
  for (const Sample& sample : report.samples) metric_count += sample.metrics.size();
  ASSERT_EQ(lines.size(), 1 + metric_count);
  EXPECT_EQ(lines[0], "run_id,backend,case,start_mode,repetition,warmup,ok,metric,value,unit\r");
  EXPECT_THAT(render_csv(report).text, HasSubstr(",native,\"say \"\"hi\"\", twice\",cold,0,false,true,"
                                                 "time_to_ready_ms,1.25,ms\r\n"));
  // The warm-up has no start mode: an empty field.
  EXPECT_THAT(lines[1], HasSubstr(",native,spin,,0,true,true,"));
}

TEST(MarkdownExport, HeaderAlignmentAndOneRowPerSummary) {
  Report report = example_report();
  report.complete = true;
  const std::vector<std::string> lines = lines_of(render_markdown(report).text);
  ASSERT_EQ(lines.size(), 2 + report.summaries.size());
  EXPECT_EQ(lines[0], "| backend | case | start | metric | median | p90 | 95% CI of median | n | failed | vs native |");
  EXPECT_EQ(lines[1], "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  EXPECT_THAT(lines[2], HasSubstr("| native | spin | cold | time_to_ready_ms | 1.25 ms |"));
  EXPECT_THAT(lines[3], HasSubstr("| 3.00x |"));
}

TEST(MarkdownExport, PartialReportSaysSo) {
  EXPECT_THAT(render_markdown(example_report()).text, HasSubstr("**Partial results**"));
}

TEST(GithubActionExport, SmallerIsBetterSummariesAndWarnsAboutTheOthers) {
  Report report = example_report_with_checks();
  MetricSummary rate = report.summaries.front();
  rate.metric = "spin_rate";
  rate.unit = "iterations/s";
  report.summaries.push_back(rate);
  report.summaries[1].summary.ci_low = 3.5;
  report.summaries[1].summary.ci_high = 4.5;

  const RenderedExport rendered = render_github_action(report);
  const nlohmann::json entries = nlohmann::json::parse(rendered.text);
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[1]["name"], "container/spin/cold/time_to_ready_ms");
  EXPECT_EQ(entries[1]["value"], 3.75);
  EXPECT_EQ(entries[1]["unit"], "ms");
  EXPECT_EQ(entries[1]["range"], "± 0.5");
  EXPECT_THAT(entries[1]["extra"].get<std::string>(), HasSubstr("start mode cold, n = 1"));
  ASSERT_EQ(rendered.warnings.size(), 1U);
  EXPECT_THAT(rendered.warnings[0], HasSubstr("spin_rate"));
}

TEST(WriteExport, WritesTheFileAndReturnsTheWarnings) {
  const benchrun::testing::TempDir dir;
  const auto path = dir.path() / "report.md";
  EXPECT_TRUE(write_export(example_report(), {ExportKind::markdown, path}).empty());
  EXPECT_EQ(sys::read_file(path), render_markdown(example_report()).text);
}

TEST(WriteExport, FailureNamesTheFile) {
  const benchrun::testing::TempDir dir;
  const auto path = dir.path() / "missing" / "out.csv";
  try {
    write_export(example_report(), {ExportKind::csv, path});
    ADD_FAILURE() << "wrote into a missing folder";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("export csv to " + path.string()));
  }
}

}  // namespace
}  // namespace benchrun::reports
