// The trend page of a nightly history (benchrun trend): the runs with their verdicts, then per suite one line
// chart per case x metric, a line per backend x start mode through the runs' medians, regressed runs marked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reports/trend.hpp"

namespace benchrun::reports::html {

// One self-contained page (html::HtmlPage) of `runs` (oldest first) from the history folder `history`.
std::string render_trend_page(const std::vector<TrendRun>& runs, std::string_view history);

}  // namespace benchrun::reports::html
