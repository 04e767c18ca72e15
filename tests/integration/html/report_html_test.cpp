// report.html for real: the page a suite run writes opens in a browser without a single console message
// (no script, nothing fetched: the page's policy turns either into one), `benchrun report --html` renders any
// report again, and an unwritable OUT is refused with everything left as it was.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>

#include "benchrun_process.hpp"
#include "chromium.hpp"
#include "reports/html/page.hpp"

namespace benchrun::testing {
namespace {

// Screenshots are kept here for a person to look at (the build tree, not a temp folder).
const std::filesystem::path artifacts = std::filesystem::path(BENCHRUN_BINARY_DIR) / "test-artifacts";
const std::filesystem::path v1_report =
    std::filesystem::path(BENCHRUN_SOURCE_DIR) / "tests/unit/reports/fixtures/report_v1.json";

std::vector<std::string> entries(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

class ReportHtml : public LeakCheckedTest {
 protected:
  TempDir out_;
};

TEST_F(ReportHtml, ASuiteRunWritesAPageThatOpensOfflineWithoutAConsoleMessage) {
  const auto result = run_benchrun(
      {"--suite", "startup", "--backends", "native,container", "--runs", "3", "--out", out_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const auto page = out_.path() / "report.html";
  EXPECT_NE(result.out.find("html: " + page.string() + "\n"), std::string::npos) << result.out;
  const std::string html = read_text(page);
  EXPECT_NE(html.find(reports::html::content_security_policy), std::string::npos);
  EXPECT_NE(html.find("<title>time_to_ready_ms, case "), std::string::npos);
  EXPECT_NE(html.find("<title>Phases of container, case "), std::string::npos);

  const auto screenshot = artifacts / "report.png";
  const BrowserVisit visit = visit_in_chromium(page, screenshot);
  EXPECT_EQ(visit.console_lines, std::vector<std::string>{}) << visit.log;
  std::cout << "screenshot of report.html: " << screenshot.string() << std::endl;
  RecordProperty("screenshot", screenshot.string());
}

// The check above can fail: the same visit reports a script and a fetch on a page of the same builder.
TEST(ReportHtmlConsoleCheck, ReportsAnInlineScriptAndAnExternalImage) {
  reports::html::HtmlPage hostile("hostile");
  hostile.add_section("Script", "<script>console.log('ran')</script>");
  hostile.add_section("Fetch", R"(<img src="https://example.invalid/x.png" alt="">)");
  const TempDir dir("benchrun-html");
  const auto page = dir.path() / "hostile.html";
  std::ofstream(page) << hostile.render();

  const BrowserVisit visit = visit_in_chromium(page, artifacts / "console-check.png", 600);
  ASSERT_EQ(visit.console_lines.size(), 2U) << visit.log;
  EXPECT_NE(visit.console_lines[0].find("inline script"), std::string::npos) << visit.console_lines[0];
  EXPECT_NE(visit.console_lines[1].find("https://example.invalid/x.png"), std::string::npos) << visit.console_lines[1];
}

TEST(ReportHtmlCommand, RendersAVersionOneReportToOut) {
  const TempDir dir("benchrun-html");
  const auto out = dir.path() / "v1.html";
  const auto result = run_benchrun({"report", v1_report.string(), "--html", out.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("html: " + out.string() + "\n"), std::string::npos) << result.out;
  const std::string html = read_text(out);
  EXPECT_NE(html.find("<td>benchrun.report/1</td>"), std::string::npos);
  EXPECT_NE(html.find("<section id=\"failed-samples\">"), std::string::npos);
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"v1.html"});  // no temp file left
}

TEST(ReportHtmlCommand, AnUnwritableOutIsOneLineAndLeavesEverythingAsItWas) {
  const TempDir dir("benchrun-html");
  // OUT is a folder: the page is written beside it, and renaming it onto the folder fails.
  const auto folder = dir.path() / "existing";
  std::filesystem::create_directory(folder);
  std::ofstream(folder / "keep") << "kept\n";
  const std::string line = refusal_of({"report", v1_report.string(), "--html", folder.string()});
  EXPECT_EQ(line.rfind("benchrun: --html: ", 0), 0U) << line;
  EXPECT_NE(line.find(folder.string()), std::string::npos) << line;
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"existing"});
  EXPECT_EQ(entries(folder), std::vector<std::string>{"keep"});
  EXPECT_EQ(read_text(folder / "keep"), "kept\n");

  const std::string missing =
      refusal_of({"report", v1_report.string(), "--html", (dir.path() / "no/page.html").string()});
  EXPECT_NE(missing.find("ENOENT"), std::string::npos) << missing;
}

}  // namespace
}  // namespace benchrun::testing
