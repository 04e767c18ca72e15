// Did a metric get worse between two runs? One row per backend x case x start mode x metric present in both
// reports: the ratio of medians (current / baseline) with a bootstrap interval, the two-sided Mann-Whitney U
// p-value, and a verdict that needs both a change beyond the threshold and a p-value below alpha. Pure: the
// caller reads the reports and renders the rows.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "reports/model.hpp"
#include "stats/bootstrap.hpp"

namespace benchrun::stats {

struct CompareOptions {
  double threshold = 0.05;  // relative: 0.05 = a 5 % change of the median
  double alpha = 0.05;      // the largest p-value that counts as a real change
  BootstrapOptions bootstrap;
};

enum class Change { unchanged, regressed, improved };

struct ComparisonRow {
  std::string backend;
  std::string case_name;
  std::optional<reports::StartMode> start_mode;
  std::string metric;
  std::string unit;
  reports::Better better = reports::Better::lower;  // from the current report's metric table
  std::size_t baseline_count = 0;
  std::size_t current_count = 0;
  double baseline_median = 0.0;
  double current_median = 0.0;
  double ratio = 0.0;  // current_median / baseline_median
  Interval ratio_interval;
  double p_value = 1.0;
  Change change = Change::unchanged;
};

struct Comparison {
  std::vector<ComparisonRow> rows;    // ordered by backend, case, start mode, metric
  std::vector<std::string> warnings;  // e.g. a weak test (fewer than 9 samples on a side), a skipped row
};

// Samples used: measured (not warm-up), ok, each metric of Sample.metrics. Throws Error when the suites
// differ or no backend x case x start mode x metric has samples in both reports.
Comparison compare_reports(const reports::Report& baseline, const reports::Report& current,
                           const CompareOptions& options = {});

// Below this many samples on a side the Mann-Whitney approximation is rough (Google Benchmark's compare.py
// warns below 9 repetitions too).
inline constexpr std::size_t weak_test_samples = 9;

std::string_view to_string(Change change);

}  // namespace benchrun::stats
