// The parts of report.html, one function per section body (report_page.cpp puts them in order). Internal to
// reports/html.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::reports::html {

// "container cold", or "container" for samples without a start mode.
std::string backend_mode_label(const std::string& backend, const std::optional<StartMode>& start_mode);

// Cold, warm, then samples without a mode (older reports): the order of rows in every chart and table.
const std::vector<std::optional<StartMode>>& start_mode_order();

// The charts of one case: per metric a box plot (and the ratio to native), the phases, series, verdicts.
std::string case_section(const Report& report, const std::string& case_name);

// The names of the cases: the options' in their order, then any only samples name.
std::vector<std::string> case_names(const Report& report);

std::string summary_section(const Report& report);
std::string failed_samples_section(const Report& report);
std::string environment_section(const Report& report);
// A merged report's hosts, each with its environment (report.hosts is not empty).
std::string hosts_section(const Report& report);
std::string run_section(const Report& report);
// The overhead suite: one ratio-to-native chart per workload group (report_overhead.cpp).
std::string overhead_section(const Report& report);
// "TCG" or "KVM" for a vm backend (its accelerator detail, else the environment's), empty for the others.
std::string accelerator_label(const Report& report, const std::string& backend);

}  // namespace benchrun::reports::html
