// Reading "benchrun.report/1", written before cases, verdicts, series and the metric table existed: it
// reads as a v2 report with one case, named after the workload, that holds the v1 workload, its arguments
// and limits; every sample and summary belongs to it. Keys that v1 added along the way (start modes, phase
// summaries, virtualization_reason) may be absent and read as null or empty.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::reports {

// The v1 document with the v2 keys in place (and its metric table empty: see v1_metric_table).
// Throws Error on a v1 key missing or mistyped.
nlohmann::json upgrade_v1_document(const nlohmann::json& v1);

// The metric table of a report read from v1: the known rows of its metrics; a metric benchrun no longer
// knows gets the unit its v1 summary said (lower is better).
std::vector<MetricDef> v1_metric_table(const Report& report);

}  // namespace benchrun::reports
