// Reports and run folders of a nightly history (reports/history.hpp) made by hand, so a test chooses what a
// baseline or a compared report holds.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::testing {

// A complete startup report whose native/hello/cold samples took `times` ms to ready, with its summaries.
reports::Report startup_report(const std::vector<double>& times);

// `report` with every sample metric multiplied by `factor` and its summaries computed again: the same run,
// `factor` times as fast or as slow.
reports::Report scaled(reports::Report report, double factor);

// HISTORY/<id>/ holding `report` as report.json and `verdict` (none when empty); returns the folder.
std::filesystem::path file_run(const std::filesystem::path& history, const std::string& id,
                               const reports::Report& report, const std::string& verdict);

}  // namespace benchrun::testing
