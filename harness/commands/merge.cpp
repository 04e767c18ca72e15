// benchrun merge FILES --out DIR [--host-names a,b,...]: the reports of one suite from many hosts as one
// DIR/report.json and its page DIR/report.html, its backends named <host>/<backend>. Everything is read and
// merged before DIR is touched, and each file is written to a temporary file and renamed: bad input leaves
// every file as it was.
#include <fmt/format.h>

#include "harness/commands/commands.hpp"
#include "harness/report_merge.hpp"
#include "reports/report_file.hpp"

namespace benchrun::harness {

int run_merge(const MergeCommand& command) {
  std::vector<MergeInput> inputs;
  for (std::size_t index = 0; index < command.files.size(); ++index) {
    const std::filesystem::path& file = command.files[index];
    inputs.push_back({file.string(), read_report_for_command(file),
                      command.host_names.empty() ? std::string() : command.host_names[index]});
  }
  reports::Report merged;
  try {
    merged = merge_reports(std::move(inputs));
  } catch (const sys::Error& error) {
    throw UsageError(fmt::format("merge: {}", error.what()));
  }
  prepare_out_dir(command.out_dir);
  merged.options.out_dir = command.out_dir.string();
  const std::filesystem::path report_path = command.out_dir / "report.json";
  const std::filesystem::path html_path = command.out_dir / "report.html";
  try {
    reports::write_report_atomically(merged, report_path);
    write_report_html(merged, html_path);
  } catch (const sys::Error& error) {
    throw UsageError(fmt::format("{}: choose a writable --out folder", error.what()));
  }
  for (const std::string& warning : merged.warnings) {
    if (warning.starts_with("merge: ")) fmt::print(stderr, "benchrun: warning: {}\n", warning);
  }
  fmt::print("{} hosts, {} backends: {}\n", merged.hosts.size(), merged.backends.size(), report_path.string());
  fmt::print("html: {}\n", html_path.string());
  return exit_ok;
}

}  // namespace benchrun::harness
