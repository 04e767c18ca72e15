// benchrun report FILE: re-renders the summary table of a report.json, of this benchrun or an older one.
#include <fmt/format.h>

#include "harness/commands/commands.hpp"
#include "reports/json.hpp"
#include "reports/report_file.hpp"
#include "reports/table.hpp"

namespace benchrun::harness {

reports::Report read_report_for_command(const std::filesystem::path& file) {
  try {
    return reports::read_report_file(file);
  } catch (const reports::UnknownSchemaVersion& error) {
    throw UsageError(error.what());  // names the version and the fix itself
  } catch (const sys::Error& error) {
    throw UsageError(
        fmt::format("{}: give the report.json a benchrun run wrote (results/<run>/report.json)", error.what()));
  }
}

int run_report(const ReportCommand& options) {
  fmt::print("{}", reports::render_summary_table(read_report_for_command(options.file)));
  return exit_ok;
}

}  // namespace benchrun::harness
