// One self-contained HTML page: every benchrun page (report, compare, trend) is built with HtmlPage, so they
// share one stylesheet and one rule: nothing is fetched. The page carries a Content-Security-Policy that
// forbids every script and every resource not inline (default-src 'none'; inline styles and data: images
// only), so a page that tried to load anything fails loudly in a browser's console instead of quietly
// reaching out; charts are inline SVG (svg_chart.hpp). The body helpers below escape every text they take;
// only arguments named *_html are trusted markup.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace benchrun::reports::html {

// The policy every page carries in <meta http-equiv="Content-Security-Policy">.
inline constexpr std::string_view content_security_policy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

class HtmlPage {
 public:
  // `title` goes into <title> and the page's <h1>.
  explicit HtmlPage(std::string title);

  // A line under the heading (e.g. "run 20250301-123456 on host x, complete"); escaped.
  void set_subtitle(std::string subtitle);

  // A banner above every section (class "warning": a partial run, a failed comparison); escaped.
  void add_banner(std::string text);

  // A <section> with an <h2> heading (escaped) and `body_html` (trusted markup, built with the helpers below
  // and svg_chart). Sections appear in the order added and are listed in the contents at the top; each gets
  // an id made from its heading ("Failed samples" -> "failed-samples", made unique).
  void add_section(std::string_view heading, std::string body_html);

  // The whole document: <!DOCTYPE html>, the CSP, the stylesheet, contents, banners and sections.
  [[nodiscard]] std::string render() const;

 private:
  struct Section {
    std::string id;
    std::string heading;
    std::string body_html;
  };

  std::string title_;
  std::string subtitle_;
  std::vector<std::string> banners_;
  std::vector<Section> sections_;
};

// A <table>: a header row and rows of cells (all escaped). The first `text_columns` columns align left, the
// rest (figures) right, as in the terminal table.
std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                       std::size_t text_columns = 1);

// A two-column table of names and values (class "facts"), e.g. the environment; escaped.
std::string facts_table(const std::vector<std::pair<std::string, std::string>>& facts);

// <p> with `text` escaped; `css_class` (our own word, e.g. "note") when not empty.
std::string paragraph(std::string_view text, std::string_view css_class = {});

// <ul> of escaped items; `css_class` when not empty.
std::string bullet_list(const std::vector<std::string>& items, std::string_view css_class = {});

// <h3> of an escaped heading, for sub-parts of a section.
std::string subheading(std::string_view text);

// A chart in a <figure>: `svg_html` as svg_chart made it and an escaped caption (none when empty).
std::string figure(std::string svg_html, std::string_view caption = {});

// Figures side by side where the page is wide enough (e.g. cold against warm), stacked where not.
std::string side_by_side(const std::vector<std::string>& parts_html);

}  // namespace benchrun::reports::html
