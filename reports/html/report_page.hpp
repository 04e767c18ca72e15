// report.html: a Report as one self-contained page (page.hpp, charts from svg_chart.hpp) that opens offline.
// What ran and where (environment, run options), the summary table with ratios to native, per case and
// metric the distribution of every sample per backend and start mode (cold and warm on adjacent rows of one
// axis) with its ratio to native and the ratio's interval, the phase breakdown, series, verdicts, the failed
// samples with their reasons, and the report's errors and warnings. v1 and v2 reports alike (a v1 report
// reads as v2 with one case).
#pragma once

#include <string>

#include "reports/model.hpp"

namespace benchrun::reports::html {

// The whole page. Deterministic: the same report gives the same bytes (the ratio intervals are a bootstrap
// with a fixed seed, computed by stats/).
std::string render_report_html(const Report& report);

}  // namespace benchrun::reports::html
