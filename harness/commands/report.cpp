// benchrun report FILE [--export KIND:FILE] [--html OUT]: re-renders the summary table of a report.json, of this
// benchrun or an older one, and writes its exports and its HTML page.
#include <fmt/format.h>

#include "harness/commands/commands.hpp"
#include "reports/export/export.hpp"
#include "reports/html/report_page.hpp"
#include "reports/json.hpp"
#include "reports/report_file.hpp"
#include "reports/table.hpp"
#include "sys/file_io.hpp"

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

void write_report_html(const reports::Report& report, const std::filesystem::path& file) {
  sys::write_file_atomically(file, reports::html::render_report_html(report));
}

int run_report(const ReportCommand& options) {
  const reports::Report report = read_report_for_command(options.file);
  if (options.html) {
    // First, so that an unwritable OUT is refused before anything is printed. Written to a temp file and
    // renamed: a failure leaves any previous file as it was.
    try {
      write_report_html(report, *options.html);
    } catch (const sys::Error& error) {
      throw UsageError(fmt::format("--html: {}", error.what()));
    }
  }
  fmt::print("{}", reports::render_summary_table(report));
  if (options.html) fmt::print("html: {}\n", options.html->string());
  std::fflush(stdout);
  write_exports(report, options.exports);
  return exit_ok;
}

}  // namespace benchrun::harness
