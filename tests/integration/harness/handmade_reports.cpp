#include "handmade_reports.hpp"

#include "reports/report_file.hpp"
#include "stats/report_summaries.hpp"
#include "sys/file_io.hpp"

namespace benchrun::testing {

reports::Report startup_report(const std::vector<double>& times) {
  reports::Report report;
  report.complete = true;
  report.options.suite = "startup";
  report.options.cases = {{"hello", "hello", {}, {}}};
  report.backends = {{"native", reports::BackendKind::native, {}, std::nullopt}};
  report.metrics.push_back({"time_to_ready_ms", "ms", reports::Better::lower, "launch to READY"});
  for (const double time : times) {
    reports::Sample sample;
    sample.backend = "native";
    sample.case_name = "hello";
    sample.start_mode = reports::StartMode::cold;
    sample.ok = true;
    sample.metrics["time_to_ready_ms"] = time;
    report.samples.push_back(sample);
  }
  report.summaries = stats::summarize_samples(report);
  return report;
}

reports::Report scaled(reports::Report report, double factor) {
  for (reports::Sample& sample : report.samples) {
    for (auto& [name, value] : sample.metrics) value *= factor;
  }
  report.summaries = stats::summarize_samples(report);
  return report;
}

std::filesystem::path file_run(const std::filesystem::path& history, const std::string& id,
                               const reports::Report& report, const std::string& verdict) {
  const auto run = history / id;
  std::filesystem::create_directories(run);
  reports::write_report_atomically(report, run / "report.json");
  if (!verdict.empty()) sys::write_file_atomically(run / "verdict", verdict + "\n");
  return run;
}

}  // namespace benchrun::testing
