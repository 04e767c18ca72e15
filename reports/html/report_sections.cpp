// The tables of report.html: summary, failed samples, environment and run options.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>

#include "reports/html/page.hpp"
#include "reports/html/report_sections.hpp"
#include "reports/table.hpp"

namespace benchrun::reports::html {
namespace {

// Columns of the summary table that hold text (backend, case, start, metric); the rest are figures.
constexpr std::size_t summary_text_columns = 4;

std::string or_unknown(const std::optional<std::string>& value) { return value ? *value : "not found"; }

std::string mebibytes(std::uint64_t bytes) {
  return fmt::format("{} MiB", format_figure(static_cast<double>(bytes) / (1024.0 * 1024.0)));
}

std::string limits_text(const Limits& limits) {
  std::vector<std::string> parts;
  if (limits.memory_bytes) parts.push_back("memory " + mebibytes(*limits.memory_bytes));
  if (limits.cpus) parts.push_back(fmt::format("cpus {}", *limits.cpus));
  if (limits.pids_max) parts.push_back(fmt::format("pids {}", *limits.pids_max));
  if (limits.cpuset_cpus) parts.push_back(fmt::format("cpuset {}", *limits.cpuset_cpus));
  if (limits.cpu_weight) parts.push_back(fmt::format("cpu weight {}", *limits.cpu_weight));
  if (limits.io_read_bps) parts.push_back(fmt::format("read {} B/s", *limits.io_read_bps));
  if (limits.io_read_iops) parts.push_back(fmt::format("read {} IOPS", *limits.io_read_iops));
  if (limits.memory_swap_bytes) parts.push_back("memory+swap " + mebibytes(*limits.memory_swap_bytes));
  return parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, ", "));
}

std::string detail_text(const DetailValue& value) {
  return std::holds_alternative<std::string>(value) ? std::get<std::string>(value)
                                                    : format_figure(std::get<double>(value));
}

}  // namespace

std::string backend_mode_label(const std::string& backend, const std::optional<StartMode>& start_mode) {
  return start_mode ? fmt::format("{} {}", backend, to_string(*start_mode)) : backend;
}

const std::vector<std::optional<StartMode>>& start_mode_order() {
  static const std::vector<std::optional<StartMode>> order = {StartMode::cold, StartMode::warm, std::nullopt};
  return order;
}

std::vector<std::string> case_names(const Report& report) {
  std::vector<std::string> names;
  const auto add = [&](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const Case& known : report.options.cases) add(known.name);
  for (const Sample& sample : report.samples) add(sample.case_name);
  for (const Verdict& verdict : report.verdicts) add(verdict.case_name);
  for (const Series& series : report.series) add(series.case_name);
  return names;
}

std::string summary_section(const Report& report) {
  if (report.summaries.empty()) return paragraph("No successful measurements to summarize.", "note");
  const std::vector<SummaryRow> rows = summary_table_rows(report);
  std::vector<std::vector<std::string>> body;
  for (auto row = std::next(rows.begin()); row != rows.end(); ++row) body.emplace_back(row->begin(), row->end());
  return paragraph(
             "Median, 90th percentile and the bootstrap 95 % interval of the median of the measured samples "
             "(warm-up and failed samples left out); the ratio to native compares medians of the same case and "
             "start mode.",
             "note") +
         html_table(std::vector<std::string>(rows.front().begin(), rows.front().end()), body, summary_text_columns);
}

std::string failed_samples_section(const Report& report) {
  std::vector<std::vector<std::string>> rows;
  for (const Sample& sample : report.samples) {
    if (sample.ok) continue;
    const Failure failure = sample.failure.value_or(Failure{FailureKind::error, "no reason recorded"});
    rows.push_back({sample.backend, sample.case_name,
                    sample.start_mode ? std::string(to_string(*sample.start_mode)) : "-",
                    fmt::format("{}{}", sample.repetition, sample.warmup ? " (warm-up)" : ""),
                    std::string(to_string(failure.kind)), failure.message});
  }
  if (rows.empty()) return paragraph("None: every sample succeeded.", "note");
  return html_table({"backend", "case", "start", "repetition", "kind", "reason"}, rows, 6);
}

namespace {

std::string environment_facts(const Environment& env) {
  return facts_table({
      {"host", env.hostname},
      {"kernel", env.kernel},
      {"os", env.os},
      {"cpu", env.cpu_model},
      {"cores", fmt::format("{}", env.cores)},
      {"memory", mebibytes(env.memory_bytes)},
      {"cgroup version", env.cgroup_version},
      {"virtualization", env.virtualization},
      {"why", env.virtualization_reason},
      {"libvirt", or_unknown(env.tools.libvirt)},
      {"qemu", or_unknown(env.tools.qemu)},
      {"crun", or_unknown(env.tools.crun)},
      {"runc", or_unknown(env.tools.runc)},
      {"benchrun", fmt::format("{} (commit {})", env.benchrun_version, env.git_commit)},
      {"probed at", env.time},
  });
}

}  // namespace

std::string hosts_section(const Report& report) {
  std::string out = paragraph(
      "A merged report (benchrun merge): each backend is named <host>/<backend>, and its ratio to native is "
      "against the native of the same host. Sample times of different hosts come from different clocks.",
      "note");
  for (const HostEnvironment& host : report.hosts) out += subheading(host.host) + environment_facts(host.environment);
  return out;
}

std::string environment_section(const Report& report) {
  std::string out = report.hosts.empty() ? environment_facts(report.environment)
                                         : paragraph("Every host's environment is under Hosts.", "note");
  std::vector<std::vector<std::string>> backends;
  for (const BackendInfo& backend : report.backends) {
    std::vector<std::string> details;
    for (const auto& [name, value] : backend.details)
      details.push_back(fmt::format("{}: {}", name, detail_text(value)));
    backends.push_back(
        {backend.name, std::string(to_string(backend.kind)), fmt::format("{}", fmt::join(details, ", "))});
  }
  return out + subheading("Backends") + html_table({"backend", "kind", "details"}, backends, 3);
}

std::string run_section(const Report& report) {
  const RunOptions& options = report.options;
  std::vector<std::string> modes;
  for (const StartMode mode : options.start_modes) modes.emplace_back(to_string(mode));
  std::string out = facts_table({
      {"run id", report.run_id},
      {"schema", report.schema_version},
      {"complete", report.complete ? "yes" : "no (interrupted or aborted)"},
      {"started", report.started_at},
      {"finished", report.finished_at},
      {"command line", fmt::format("{}", fmt::join(report.command_line, " "))},
      {"suite", options.suite},
      {"backends", fmt::format("{}", fmt::join(options.backends, ", "))},
      {"runs", fmt::format("{} measured, {} warm-up", options.runs, options.warmup)},
      {"start modes", modes.empty() ? "not recorded" : fmt::format("{}", fmt::join(modes, ", "))},
      {"cold settle", options.cold_settle_ms ? fmt::format("{} ms", *options.cold_settle_ms) : "-"},
      {"timeout", fmt::format("{} ms", options.timeout_ms)},
      {"image", options.image},
      {"libvirt uri", options.libvirt_uri.value_or("embedded driver")},
      {"output", options.out_dir},
  });
  std::vector<std::vector<std::string>> cases;
  for (const Case& known : options.cases) {
    cases.push_back({known.name, known.workload, fmt::format("{}", fmt::join(known.workload_args, " ")),
                     limits_text(known.limits)});
  }
  return out + subheading("Cases") + html_table({"case", "workload", "arguments", "limits"}, cases, 4);
}

}  // namespace benchrun::reports::html
