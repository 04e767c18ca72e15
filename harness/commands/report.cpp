// benchrun report FILE [--export KIND:FILE]: re-renders the summary table of a report.json, of this benchrun or an
// older one, and writes its exports.
#include <fmt/format.h>

#include "harness/commands/commands.hpp"
#include "reports/export/export.hpp"
#include "reports/json.hpp"
#include "reports/report_file.hpp"
#include "reports/table.hpp"

namespace benchrun::harness {

void write_exports(const reports::Report& report, const std::vector<reports::ExportSpec>& exports) {
  for (const reports::ExportSpec& spec : exports) {
    for (const auto& warning : reports::write_export(report, spec))
      fmt::print(stderr, "benchrun: warning: {}\n", warning);
    fmt::print("{}: {}\n", reports::to_string(spec.kind), spec.file.string());
  }
}

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
  const reports::Report report = read_report_for_command(options.file);
  fmt::print("{}", reports::render_summary_table(report));
  std::fflush(stdout);
  write_exports(report, options.exports);
  return exit_ok;
}

}  // namespace benchrun::harness
