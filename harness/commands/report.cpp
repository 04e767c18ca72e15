// benchrun report FILE: re-renders the summary table of a report.json, of this benchrun or an older one.
#include <fmt/format.h>

#include "harness/commands/commands.hpp"
#include "reports/json.hpp"
#include "reports/report_file.hpp"
#include "reports/table.hpp"

namespace benchrun::harness {

int run_report(const ReportCommand& options) {
  reports::Report report;
  try {
    report = reports::read_report_file(options.file);
  } catch (const reports::UnknownSchemaVersion& error) {
    throw UsageError(error.what());  // names the version and the fix itself
  } catch (const sys::Error& error) {
    throw UsageError(
        fmt::format("{}: give the report.json a benchrun run wrote (results/<run>/report.json)", error.what()));
  }
  fmt::print("{}", reports::render_summary_table(report));
  return exit_ok;
}

}  // namespace benchrun::harness
