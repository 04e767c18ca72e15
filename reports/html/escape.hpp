// Text into HTML or SVG: the one escaping function every page and chart uses, so that a hostile label
// (a case named `<script>`) stays text.
#pragma once

#include <string>
#include <string_view>

namespace benchrun::reports::html {

// `text` with & < > " ' replaced by entities: safe as element content and inside a quoted attribute, in
// HTML and in SVG alike.
std::string html_escape(std::string_view text);

}  // namespace benchrun::reports::html
