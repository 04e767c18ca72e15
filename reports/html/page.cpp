#include "reports/html/page.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>

#include "sys/markup_escape.hpp"

namespace benchrun::reports::html {
namespace {

// Light, readable, and fit for paper: system fonts only (nothing to fetch), tables with figures in tabular
// digits, charts at most as wide as the text, and no chart split across printed pages.
constexpr std::string_view stylesheet = R"(
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d1d1f; background: #fff;
       max-width: 1200px; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid #ddd; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
.subtitle { color: #555; margin: 0 0 1rem; }
nav ol { columns: 2; margin: .5rem 0 1rem; padding-left: 1.4rem; }
a { color: #0b5cad; }
.banner { border-left: 4px solid #b26b00; background: #fff6e5; padding: .5rem .8rem; margin: .6rem 0; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { padding: .22rem .6rem; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
th { text-align: left; background: #f5f5f7; font-weight: 600; }
td.figure { text-align: right; white-space: nowrap; }
table.facts th { background: none; color: #555; font-weight: normal; white-space: nowrap; }
.table-wrap { overflow-x: auto; }
figure { margin: .8rem 0 1.4rem; break-inside: avoid; }
figure svg { width: 100%; max-width: 760px; height: auto; display: block; }
figcaption { color: #555; font-size: .9rem; margin-top: .2rem; }
.side-by-side { display: flex; flex-wrap: wrap; gap: 1rem; }
.side-by-side > * { flex: 1 1 460px; min-width: 0; }
.note { color: #555; }
.warning { color: #8a5300; }
.error { color: #a00; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav { display: none; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
)";

std::string id_from_heading(std::string_view heading) {
  std::string id;
  for (const char character : heading) {
    if (std::isalnum(static_cast<unsigned char>(character)) != 0) {
      id += static_cast<char>(std::tolower(static_cast<unsigned char>(character)));
    } else if (!id.empty() && id.back() != '-') {
      id += '-';
    }
  }
  while (!id.empty() && id.back() == '-') id.pop_back();
  return id.empty() ? "section" : id;
}

std::string class_attribute(std::string_view css_class) {
  return css_class.empty() ? std::string() : fmt::format(R"( class="{}")", css_class);
}

}  // namespace

HtmlPage::HtmlPage(std::string title) : title_(std::move(title)) {}

void HtmlPage::set_subtitle(std::string subtitle) { subtitle_ = std::move(subtitle); }

void HtmlPage::add_banner(std::string text) { banners_.push_back(std::move(text)); }

void HtmlPage::add_section(std::string_view heading, std::string body_html) {
  const std::string base = id_from_heading(heading);
  std::string id = base;
  for (int suffix = 2; std::any_of(sections_.begin(), sections_.end(), [&](const Section& s) { return s.id == id; });
       ++suffix) {
    id = fmt::format("{}-{}", base, suffix);
  }
  sections_.push_back({std::move(id), std::string(heading), std::move(body_html)});
}

std::string HtmlPage::render() const {
  std::string out = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
      content_security_policy, sys::markup_escape(title_), stylesheet, sys::markup_escape(title_));
  if (!subtitle_.empty()) out += paragraph(subtitle_, "subtitle");
  for (const std::string& banner : banners_) out += paragraph(banner, "banner");
  if (sections_.size() > 1) {
    out += "<nav><ol>";
    for (const Section& section : sections_) {
      out += fmt::format("<li><a href=\"#{}\">{}</a></li>", section.id, sys::markup_escape(section.heading));
    }
    out += "</ol></nav>\n";
  }
  out += "</header>\n<main>\n";
  for (const Section& section : sections_) {
    out += fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n{}\n</section>\n", section.id,
                       sys::markup_escape(section.heading), section.body_html);
  }
  return out + "</main>\n</body>\n</html>\n";
}

std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                       std::size_t text_columns) {
  std::string out = "<div class=\"table-wrap\"><table>\n<thead><tr>";
  for (const std::string& cell : header) out += fmt::format("<th>{}</th>", sys::markup_escape(cell));
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (std::size_t column = 0; column < row.size(); ++column) {
      out += fmt::format("<td{}>{}</td>", column < text_columns ? "" : " class=\"figure\"",
                         sys::markup_escape(row[column]));
    }
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table></div>\n";
}

std::string facts_table(const std::vector<std::pair<std::string, std::string>>& facts) {
  std::string out = "<table class=\"facts\">\n";
  for (const auto& [name, value] : facts) {
    out += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", sys::markup_escape(name), sys::markup_escape(value));
  }
  return out + "</table>\n";
}

std::string paragraph(std::string_view text, std::string_view css_class) {
  return fmt::format("<p{}>{}</p>\n", class_attribute(css_class), sys::markup_escape(text));
}

std::string bullet_list(const std::vector<std::string>& items, std::string_view css_class) {
  std::string out = fmt::format("<ul{}>\n", class_attribute(css_class));
  for (const std::string& item : items) out += fmt::format("<li>{}</li>\n", sys::markup_escape(item));
  return out + "</ul>\n";
}

std::string subheading(std::string_view text) { return fmt::format("<h3>{}</h3>\n", sys::markup_escape(text)); }

std::string figure(std::string svg_html, std::string_view caption) {
  std::string out = "<figure>" + std::move(svg_html);
  if (!caption.empty()) out += fmt::format("<figcaption>{}</figcaption>", sys::markup_escape(caption));
  return out + "</figure>\n";
}

std::string side_by_side(const std::vector<std::string>& parts_html) {
  std::string out = "<div class=\"side-by-side\">";
  for (const std::string& part : parts_html) out += "<div>" + part + "</div>";
  return out + "</div>\n";
}

}  // namespace benchrun::reports::html
