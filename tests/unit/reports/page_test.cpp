#include "reports/html/page.hpp"

#include <gtest/gtest.h>
#include <string>

#include "html_test_support.hpp"

namespace benchrun::reports::html {
namespace {

using testing::occurrences;

TEST(HtmlPage, CarriesThePolicyThatForbidsEveryScriptAndFetch) {
  const std::string page = HtmlPage("report").render();
  EXPECT_EQ(page.rfind("<!DOCTYPE html>\n", 0), 0U);
  EXPECT_NE(page.find(R"(<meta http-equiv="Content-Security-Policy" content="default-src 'none'; )"
                      R"(style-src 'unsafe-inline'; img-src data:">)"),
            std::string::npos);
  EXPECT_NE(page.find("<style>"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
}

TEST(HtmlPage, SectionsInOrderWithUniqueIdsListedInTheContents) {
  HtmlPage page("benchrun <report>");
  page.set_subtitle("run x & y");
  page.add_banner("partial results");
  page.add_section("Failed samples", paragraph("none"));
  page.add_section("Failed samples", paragraph("again"));
  page.add_section("Summary", "<p>trusted</p>");
  const std::string html = page.render();
  EXPECT_NE(html.find("<title>benchrun &lt;report&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("run x &amp; y"), std::string::npos);
  EXPECT_NE(html.find(R"(<p class="banner">partial results</p>)"), std::string::npos);
  const auto first = html.find(R"(<section id="failed-samples">)");
  const auto second = html.find(R"(<section id="failed-samples-2">)");
  const auto third = html.find(R"(<section id="summary">)");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  ASSERT_NE(third, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_EQ(occurrences(html, R"(<li><a href="#)"), 3U);
}

TEST(HtmlBodies, EscapeEveryCellAndAlignFiguresRight) {
  const std::string table = html_table({"backend", "median"}, {{"<b>", "1.25 ms"}}, 1);
  EXPECT_NE(table.find("<th>backend</th><th>median</th>"), std::string::npos);
  EXPECT_NE(table.find(R"(<td>&lt;b&gt;</td><td class="figure">1.25 ms</td>)"), std::string::npos);
  EXPECT_NE(facts_table({{"kernel", "6.1 <x>"}}).find("<tr><th>kernel</th><td>6.1 &lt;x&gt;</td></tr>"),
            std::string::npos);
  EXPECT_EQ(bullet_list({"a'b"}, "error"), "<ul class=\"error\">\n<li>a&#39;b</li>\n</ul>\n");
  EXPECT_EQ(figure("<svg></svg>", "c\"d"), "<figure><svg></svg><figcaption>c&quot;d</figcaption></figure>\n");
}

}  // namespace
}  // namespace benchrun::reports::html
