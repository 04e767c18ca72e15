// benchrun --suite S: validate, sweep what killed runs left, measure, write samples and report, print.
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>

#include "harness/backends/registry.hpp"
#include "harness/commands/commands.hpp"
#include "harness/commands/compare.hpp"
#include "harness/environment.hpp"
#include "harness/image.hpp"
#include "harness/report_builder.hpp"
#include "harness/runner.hpp"
#include "harness/suites/registry.hpp"
#include "reports/report_file.hpp"
#include "reports/samples_log.hpp"
#include "reports/table.hpp"
#include "reports/timestamp.hpp"
#include "reports/verdict_table.hpp"
#include "runtime/cgroup/attach_cost.hpp"
#include "runtime/sweep.hpp"

namespace benchrun::harness {

// Creates the output folder and proves it writable before anything is measured.
void prepare_out_dir(const std::filesystem::path& out_dir) {
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) {
    throw UsageError(
        fmt::format("cannot create --out folder {}: {}: choose a writable folder", out_dir.string(), error.message()));
  }
  if (::access(out_dir.c_str(), W_OK) != 0) {
    throw UsageError(fmt::format("cannot write to --out folder {}: {}: choose a writable folder", out_dir.string(),
                                 sys::describe_errno(errno)));
  }
}

namespace {

std::string now_rfc3339() { return reports::rfc3339_utc(std::chrono::system_clock::now()); }

// What a failure line calls a backend's samples: "container" or "container (cold)".
std::string samples_label(const reports::Sample& sample) {
  if (!sample.start_mode) return sample.backend;
  return fmt::format("{} ({})", sample.backend, reports::to_string(*sample.start_mode));
}

// One line per backend x start mode whose samples failed:
// "container (cold): 2 of 10 samples failed (first: oom: OOM-killed ...)".
std::vector<std::string> failure_lines(const std::vector<reports::Sample>& samples) {
  struct Count {
    int failed = 0;
    int total = 0;
    std::string first_reason;
  };
  std::map<std::string, Count> by_label;
  for (const auto& sample : samples) {
    Count& count = by_label[samples_label(sample)];
    ++count.total;
    if (sample.failure) {
      if (count.failed++ == 0) {
        count.first_reason = fmt::format("{}: {}", reports::to_string(sample.failure->kind), sample.failure->message);
      }
    }
  }
  std::vector<std::string> lines;
  for (const auto& [label, count] : by_label) {
    if (count.failed > 0) {
      lines.push_back(
          fmt::format("{}: {} of {} samples failed (first: {})", label, count.failed, count.total, count.first_reason));
    }
  }
  return lines;
}

// Once per run, on stderr: which accelerator the guests got and why, so a TCG figure is never taken for a
// KVM one.
void print_guest_accelerator(const std::vector<std::unique_ptr<Backend>>& backends) {
  for (const auto& backend : backends) {
    if (backend->kind() != reports::BackendKind::vm) continue;
    const auto details = backend->details();
    const auto accelerator = details.find("accelerator");
    const auto reason = details.find("accelerator_reason");
    if (accelerator == details.end() || reason == details.end()) continue;
    fmt::print(stderr, "benchrun: {}: guests run under {} ({})\n", backend->name(),
               accelerator->second == "kvm" ? "KVM" : "TCG emulation", reason->second);
  }
}

// Cold starts pay an RCU grace period on cgroup v1; a host that expedites every grace period hides it.
std::optional<std::string> cold_start_warning(const std::vector<reports::StartMode>& start_modes) {
  if (std::find(start_modes.begin(), start_modes.end(), reports::StartMode::cold) == start_modes.end()) return {};
  if (!runtime::rcu_grace_periods_expedited().value_or(false)) return {};
  return "/sys/kernel/rcu_expedited is 1 on this host: RCU grace periods are expedited, so cold starts do not "
         "pay the normal grace period of a first cgroup attach and look like warm ones";
}

}  // namespace

int run_suite(const SuiteOptions& requested, StopSignal& stop) {
  SuiteOptions options = requested;
  for (const auto& test_case : options.cases) require_image(options.image, test_case.workload);
  std::optional<reports::Report> baseline;
  if (!options.baseline.empty()) baseline = read_baseline_for_suite(options.baseline, options);
  const std::string run_id = make_run_id();
  if (options.out_dir.empty()) options.out_dir = std::filesystem::path("results") / run_id;
  prepare_out_dir(options.out_dir);

  const std::string started_at = now_rfc3339();
  RunRecord record{run_id, started_at, {}, false, {}, {}, {}, {}, {}};
  const auto swept = runtime::sweep_leftovers();
  if (const int removed = swept.cgroups_removed + swept.state_dirs_removed + swept.mounts_removed; removed > 0) {
    record.warnings.push_back(fmt::format("removed {} leftovers of killed runs before starting", removed));
  }

  if (const auto warning = cold_start_warning(options.start_modes)) record.warnings.push_back(*warning);

  std::vector<std::unique_ptr<Backend>> backends;
  try {
    const bool guest_limits =
        options.suite == "limits" || std::any_of(options.cases.begin(), options.cases.end(),
                                                 [](const auto& c) { return c.limits.cpus.has_value(); });
    // The devices check judges libvirt's devices cgroup around QEMU; --limits-off devices runs guests without
    // any cgroup (libvirt confines devices in the unified hierarchy whenever it makes cgroups there).
    const bool devices_case =
        options.suite == "limits" &&
        std::any_of(options.cases.begin(), options.cases.end(), [](const auto& c) { return c.name == "devices"; });
    const bool devices_off =
        std::find(options.limits_off.begin(), options.limits_off.end(), "devices") != options.limits_off.end();
    backends = make_backends(options.backends,
                             {options.image, run_id, options.libvirt_uri, options.accel, stop, options.guest_cgroup,
                              options.guest_kernel_args, guest_limits, options.suite == "limits",
                              devices_case && !devices_off, devices_case && devices_off});
  } catch (const sys::Interrupted&) {
    return exit_interrupted;  // stopped while setting up (e.g. during a KVM probe boot): nothing measured
  } catch (const sys::Error& error) {
    throw UsageError(error.what());  // nothing was measured yet: a setup problem, named with its fix
  }
  print_guest_accelerator(backends);
  reports::Environment environment = probe_environment();
  reports::SamplesLog log(options.out_dir / "samples.jsonl");
  const RunPlan plan{run_id,       std::move(backends), options.cases,      options.warmup,
                     options.runs, options.timeout,     options.start_modes};
  Progress progress(steps_in(plan), !options.quiet);
  RunOutcome outcome = run_plan(plan, find_suite(options.suite)->make_step(options), log, progress);
  progress.clear();
  runtime::remove_unused_cgroup_parents();  // every instance was torn down

  record.finished_at = now_rfc3339();
  record.complete = !outcome.interrupted;
  record.errors = failure_lines(outcome.samples);
  if (outcome.interrupted) {
    const auto signal = stop.signal();
    record.errors.push_back(fmt::format(
        "interrupted by {} after {} instances: the report is incomplete",
        signal ? fmt::format("SIG{}", sigabbrev_np(*signal)) : std::string("a stop request"), outcome.samples.size()));
  }
  for (const auto& verdict : outcome.verdicts) {
    if (!verdict.pass) record.errors.push_back(fmt::format("{}: {}: {}", verdict.backend, verdict.check, verdict.why));
  }
  record.warnings.insert(record.warnings.end(), outcome.notes.begin(), outcome.notes.end());
  record.samples = std::move(outcome.samples);
  record.series = std::move(outcome.series);
  record.verdicts = std::move(outcome.verdicts);
  const reports::Report report = build_report(options, std::move(environment), plan.backends, std::move(record));
  const auto report_path = options.out_dir / "report.json";
  reports::write_report_atomically(report, report_path);
  const auto html_path = options.out_dir / "report.html";
  write_report_html(report, html_path);

  if (!options.quiet) {
    // A suite of verdicts alone (isolation) has no samples to summarize: its matrix is the table.
    if (!report.samples.empty() || report.verdicts.empty()) fmt::print("{}", reports::render_summary_table(report));
    fmt::print("{}", reports::render_verdict_matrix(report));
    for (const auto& verdict : report.verdicts) {
      if (verdict.pass) fmt::print("{}: {}: {}\n", verdict.backend, verdict.check, verdict.why);
    }
  }
  std::fflush(stdout);  // the table stays whole when stdout and stderr go to the same file
  for (const auto& warning : report.warnings) fmt::print(stderr, "benchrun: warning: {}\n", warning);
  for (const auto& error : report.errors) fmt::print(stderr, "benchrun: {}\n", error);
  fmt::print("report: {}\n", report_path.string());
  fmt::print("html: {}\n", html_path.string());
  write_exports(report, options.exports);

  if (outcome.interrupted) return exit_interrupted;
  return std::max(report.errors.empty() ? exit_ok : exit_failure,
                  compare_with_baseline(baseline, options.baseline, report, report_path, options.quiet));
}

}  // namespace benchrun::harness
