#include "reports/html/report_page.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <regex>
#include <string>

#include "html_test_support.hpp"
#include "reports/json.hpp"
#include "stats/report_summaries.hpp"
#include "test_support.hpp"

namespace benchrun::reports::html {
namespace {

using reports::testing::example_report;
using reports::testing::example_report_with_checks;
using reports::testing::fixture_text;
using testing::occurrences;

// Nothing a browser would run or fetch: no script, no resource from elsewhere.
void expect_self_contained(const std::string& page) {
  for (const char* forbidden : {"<script", "<link", "<img", "http://", "https://", "@import", "url("}) {
    EXPECT_EQ(page.find(forbidden), std::string::npos) << forbidden;
  }
  EXPECT_FALSE(std::regex_search(page, std::regex("(src|href)=\"[a-z]+:")));
}

TEST(ReportPage, HasEverySectionAndSaysAPartialRunIsPartial) {
  const std::string page = render_report_html(example_report());
  expect_self_contained(page);
  for (const char* id : {"errors-and-warnings", "summary", "case-spin", "failed-samples", "environment", "run"}) {
    EXPECT_NE(page.find(fmt::format("<section id=\"{}\">", id)), std::string::npos) << id;
  }
  for (const char* shown :
       {"PARTIAL RESULTS: run 20250301-123456-3f9a did not complete", "<li>container #1: OOM-killed</li>",
        "kvm_pvm: a paravirtual nested KVM cannot boot a stock guest kernel", "<td>hybrid</td>"}) {
    EXPECT_NE(page.find(shown), std::string::npos) << shown;
  }
}

// An overhead report: native and a guest that ran under TCG, three samples each of one workload figure.
Report overhead_report(const std::string& guest_accelerator) {
  Report report = example_report();
  report.options.suite = "overhead";
  report.options.backends = {"native", "vm"};
  report.options.cases = {Case{"syscalls", "overhead", {"syscalls"}, {}}};
  report.backends = {{"native", BackendKind::native, {}, std::nullopt},
                     {"vm", BackendKind::vm, {{"accelerator", guest_accelerator}}, std::nullopt}};
  report.metrics = {{"syscall_getppid_ns", "ns", Better::lower, "reported by the workload"}};
  report.samples.clear();
  for (const auto& [backend, ns] : std::vector<std::pair<std::string, double>>{
           {"native", 200}, {"native", 210}, {"native", 205}, {"vm", 2000}, {"vm", 2100}, {"vm", 2050}}) {
    Sample sample;
    sample.backend = backend;
    sample.case_name = "syscalls";
    sample.repetition = static_cast<int>(report.samples.size() % 3);
    sample.start_mode = StartMode::cold;
    sample.ok = true;
    sample.metrics = {{"syscall_getppid_ns", ns}};
    report.samples.push_back(sample);
  }
  report.summaries = stats::summarize_samples(report);
  report.phase_summaries.clear();
  return report;
}

TEST(ReportPage, AnOverheadReportShowsEachFiguresRatioAndTheGuestsAcceleratorFirst) {
  const std::string page = render_report_html(overhead_report("tcg"));
  expect_self_contained(page);
  const auto overhead = page.find("<section id=\"overhead-ratios-to-native\">");
  ASSERT_NE(overhead, std::string::npos);
  EXPECT_LT(overhead, page.find("<section id=\"summary\">")) << "the answer comes before the details";
  EXPECT_NE(page.find("Workload group syscalls: ratio to native"), std::string::npos);
  EXPECT_NE(page.find("vm cold (TCG) · syscall_getppid_ns ↓"), std::string::npos);
  EXPECT_NE(page.find("<td>TCG</td>"), std::string::npos);
  EXPECT_NE(page.find("10.000x ["), std::string::npos);
  EXPECT_EQ(page.find("(KVM)"), std::string::npos) << "a TCG guest is never shown as KVM";
  EXPECT_EQ(page.find("<td>KVM</td>"), std::string::npos) << "a TCG guest is never shown as KVM";
  EXPECT_NE(render_report_html(overhead_report("kvm")).find("vm cold (KVM)"), std::string::npos);
  EXPECT_EQ(render_report_html(example_report()).find("overhead-ratios-to-native"), std::string::npos);
}

TEST(ReportPage, AMergedReportListsEveryHostWithItsEnvironment) {
  Report merged = example_report();
  Environment second = merged.environment;
  second.hostname = "lab2.example";
  second.kernel = "Linux 6.12.0-lab2";
  merged.hosts = {{"lab1", merged.environment}, {"lab2", second}};
  const std::string page = render_report_html(merged);
  EXPECT_NE(page.find("<section id=\"hosts\">"), std::string::npos);
  EXPECT_NE(page.find("<h3>lab1</h3>"), std::string::npos);
  EXPECT_NE(page.find("<h3>lab2</h3>"), std::string::npos);
  EXPECT_NE(page.find("<td>Linux 6.12.0-lab2</td>"), std::string::npos);
  EXPECT_NE(page.find("on 2 hosts"), std::string::npos);
  EXPECT_EQ(render_report_html(example_report()).find("<section id=\"hosts\">"), std::string::npos)
      << "the report of one run has its one environment, no hosts";
}

TEST(ReportPage, ListsEveryFailedSampleWithItsReason) {
  const std::string page = render_report_html(example_report());
  EXPECT_NE(page.find("<td>container</td><td>spin</td><td>warm</td><td>1</td><td>oom</td>"
                      "<td>OOM-killed: the workload hit its memory limit</td>"),
            std::string::npos);
  EXPECT_NE(page.find("no BENCHRUN READY within 30000 ms"), std::string::npos);
}

TEST(ReportPage, SummaryTableCarriesTheRatioToNative) {
  const std::string page = render_report_html(example_report());
  EXPECT_NE(page.find("<th>vs native</th>"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"figure\">3.00x</td>"), std::string::npos);
}

TEST(ReportPage, DrawsTheDistributionRatioAndPhasesOfEachMetric) {
  const std::string page = render_report_html(example_report());
  // time_to_ready_ms, time_to_exit_ms and teardown_ms, each with native and container cold rows.
  EXPECT_EQ(occurrences(page, "<title>time_to_ready_ms, case spin</title>"), 1U);
  EXPECT_EQ(occurrences(page, R"(class="box")"), 6U);
  EXPECT_EQ(occurrences(page, "<title>time_to_ready_ms against native, case spin</title>"), 1U);
  EXPECT_NE(page.find("<title>Phases of container, case spin</title>"), std::string::npos);
  EXPECT_EQ(occurrences(page, R"(class="segment")"), 2U);  // clone, launch_returned
}

TEST(ReportPage, ChecksAsAMatrixAndSeriesAsLines) {
  const std::string page = render_report_html(example_report_with_checks());
  expect_self_contained(page);
  EXPECT_EQ(occurrences(page, R"(class="pass")"), 1U);
  EXPECT_EQ(occurrences(page, R"(class="fail")"), 1U);
  EXPECT_NE(page.find("the host&#39;s pids showed through"), std::string::npos);
  EXPECT_EQ(occurrences(page, R"(class="series")"), 1U);
  EXPECT_NE(page.find("spin_rate (iterations/s, higher is better)"), std::string::npos);
}

TEST(ReportPage, HostileNamesStayText) {
  Report report = example_report();
  for (Sample& sample : report.samples) sample.case_name = "<script>alert(1)</script>";
  report.options.cases[0].name = "<script>alert(1)</script>";
  report.environment.hostname = "<img src=x>";
  const std::string page = render_report_html(report);
  expect_self_contained(page);
  EXPECT_NE(page.find("Case &lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

TEST(ReportPage, RendersAVersionOneReport) {
  const Report report = parse_report(fixture_text("report_v1.json"));
  const std::string page = render_report_html(report);
  expect_self_contained(page);
  EXPECT_NE(page.find("<td>benchrun.report/1</td>"), std::string::npos);
  EXPECT_NE(page.find("<section id=\"failed-samples\">"), std::string::npos);
  EXPECT_GT(occurrences(page, R"(class="box")"), 0U);
}

TEST(ReportPage, AReportWithoutSamplesStillRenders) {
  Report report;
  report.complete = true;
  const std::string page = render_report_html(report);
  EXPECT_NE(page.find("No successful measurements to summarize."), std::string::npos);
  EXPECT_NE(page.find("None: every sample succeeded."), std::string::npos);
  EXPECT_EQ(page.find("PARTIAL RESULTS"), std::string::npos);
}

}  // namespace
}  // namespace benchrun::reports::html
