// report.html's order: what went wrong first, then the results (summary, one section per case, failures),
// then where and how they were measured.
#include "reports/html/report_page.hpp"

#include <fmt/format.h>

#include "reports/html/page.hpp"
#include "reports/html/report_sections.hpp"

namespace benchrun::reports::html {

std::string render_report_html(const Report& report) {
  const std::string suite = report.options.suite.empty() ? "benchrun" : report.options.suite;
  HtmlPage page(fmt::format("benchrun report: {} suite", suite));
  const std::string where =
      report.hosts.empty() ? report.environment.hostname : fmt::format("{} hosts (see Hosts)", report.hosts.size());
  page.set_subtitle(fmt::format("run {} on {}, {} to {}", report.run_id, where, report.started_at, report.finished_at));
  if (!report.complete) {
    page.add_banner(fmt::format("PARTIAL RESULTS: run {} did not complete (interrupted or aborted)", report.run_id));
  }
  if (!report.errors.empty() || !report.warnings.empty()) {
    page.add_section("Errors and warnings",
                     bullet_list(report.errors, "error") + bullet_list(report.warnings, "warning"));
  }
  if (report.options.suite == "overhead") page.add_section("Overhead: ratios to native", overhead_section(report));
  page.add_section("Summary", summary_section(report));
  for (const std::string& case_name : case_names(report)) {
    page.add_section(fmt::format("Case {}", case_name), case_section(report, case_name));
  }
  page.add_section("Failed samples", failed_samples_section(report));
  if (!report.hosts.empty()) page.add_section("Hosts", hosts_section(report));
  page.add_section("Environment", environment_section(report));
  page.add_section("Run", run_section(report));
  return page.render();
}

}  // namespace benchrun::reports::html
