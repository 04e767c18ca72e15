// Text into XML, HTML or SVG: the one escaping function benchrun has, used by the libvirt domain XML (vm/)
// and by every page and chart (reports/html/), so that a hostile name or label stays text.
#pragma once

#include <string>
#include <string_view>

namespace benchrun::sys {

// `text` with & < > " ' replaced by entities (' as &#39;, which XML and HTML both read, where HTML 4 has
// no &apos;): safe as element content and inside a quoted attribute, in XML, HTML and SVG alike.
std::string markup_escape(std::string_view text);

}  // namespace benchrun::sys
