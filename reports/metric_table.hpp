// The metric table: what each metric a report carries is, in which unit, and which way it improves. The
// statistics, the JSON writer and reader, the table and compare read units and directions from here, never
// from a metric's name. benchrun's own metrics are known_metrics(); a workload brings its own rows (from
// `BENCHRUN RESULT`), and a report's table (Report.metrics) holds the rows of every metric it carries.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::reports {

// The metrics benchrun measures itself, in the order tables show them.
const std::vector<MetricDef>& known_metrics();

// The row of `name` in `table`, or nullptr.
const MetricDef* find_metric(const std::vector<MetricDef>& table, std::string_view name);

// What a phase figure is: ms since launch, lower is better (phase summaries carry no table row of their own).
MetricDef phase_metric(std::string_view phase);

struct MetricTable {
  std::vector<MetricDef> rows;
  // One line per workload metric whose unit or direction differs between samples (the first one is kept).
  std::vector<std::string> conflicts;
};

// The metric table of a report holding `samples`: the known rows of the metrics they carry, in the known
// order, then one row per workload metric (from workload_result.metrics) in the order they first appear.
// Throws Error naming a sample metric that is neither known nor a workload's: its unit would be a guess.
MetricTable metric_table_for(const std::vector<Sample>& samples);

}  // namespace benchrun::reports
