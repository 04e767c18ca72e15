#include "harness/report_builder.hpp"

#include <algorithm>

#include "harness/runner.hpp"
#include "reports/metric_table.hpp"
#include "stats/report_summaries.hpp"
#include "vm/accelerator.hpp"

namespace benchrun::harness {
namespace {

reports::RunOptions to_report_options(const SuiteOptions& options) {
  reports::RunOptions report_options;
  report_options.suite = options.suite;
  report_options.backends = options.backends;
  report_options.cases = options.cases;
  report_options.runs = options.runs;
  report_options.warmup = options.warmup;
  report_options.timeout_ms = options.timeout.count();
  report_options.start_modes = options.start_modes;
  if (std::find(options.start_modes.begin(), options.start_modes.end(), reports::StartMode::cold) !=
      options.start_modes.end()) {
    report_options.cold_settle_ms = cold_start_settle.count();
  }
  report_options.out_dir = options.out_dir.string();
  report_options.image = options.image.dir().string();
  if (!options.libvirt_uri.empty()) report_options.libvirt_uri = options.libvirt_uri;
  return report_options;
}

struct Virtualization {
  std::string accelerator;  // "kvm", "tcg" or "none"
  std::string reason;
};

// What a guest gets on this host: the VM backend's own choice when it ran, else the host's assessment
// (which cannot settle a doubtful /dev/kvm without a probe boot: only a VM backend runs one).
Virtualization virtualization(const reports::Environment& environment,
                              const std::vector<std::unique_ptr<Backend>>& backends) {
  for (const auto& backend : backends) {
    if (backend->kind() != reports::BackendKind::vm) continue;
    const auto details = backend->details();
    const auto accelerator = details.find("accelerator");
    const auto reason = details.find("accelerator_reason");
    if (accelerator != details.end() && reason != details.end()) return {accelerator->second, reason->second};
  }
  if (!environment.tools.qemu) return {"none", "qemu-system-x86_64 not found"};
  const vm::KvmAssessment assessment = vm::assess_kvm();
  switch (assessment.verdict) {
    case vm::KvmAssessment::Verdict::works:
      return {"kvm", assessment.reason};
    case vm::KvmAssessment::Verdict::cannot_work:
      return {"tcg", assessment.reason};
    case vm::KvmAssessment::Verdict::unknown:
      break;
  }
  return {"tcg", assessment.reason + "; no guest ran in this run to probe KVM (benchrun doctor probes it)"};
}

}  // namespace

reports::Report build_report(const SuiteOptions& options, reports::Environment environment,
                             const std::vector<std::unique_ptr<Backend>>& backends, RunRecord record) {
  reports::Report report;
  report.run_id = record.run_id;
  report.started_at = record.started_at;
  report.finished_at = record.finished_at;
  report.complete = record.complete;
  report.command_line = options.command_line;
  report.options = to_report_options(options);
  Virtualization guests = virtualization(environment, backends);
  environment.virtualization = std::move(guests.accelerator);
  environment.virtualization_reason = std::move(guests.reason);
  environment.time = record.started_at;
  report.environment = std::move(environment);
  for (const auto& backend : backends) {
    reports::BackendInfo info{backend->name(), backend->kind(), {}, std::nullopt};
    for (const auto& [key, value] : backend->details()) info.details[key] = value;
    report.backends.push_back(std::move(info));
  }
  report.samples = std::move(record.samples);
  report.series = std::move(record.series);
  report.verdicts = std::move(record.verdicts);
  reports::MetricTable metrics = reports::metric_table_for(report.samples);
  report.metrics = std::move(metrics.rows);
  report.summaries = stats::summarize_samples(report);
  report.phase_summaries = stats::summarize_phases(report);
  report.errors = std::move(record.errors);
  report.warnings = std::move(record.warnings);
  report.warnings.insert(report.warnings.end(), metrics.conflicts.begin(), metrics.conflicts.end());
  return report;
}

}  // namespace benchrun::harness
