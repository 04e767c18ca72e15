#include "test_support.hpp"

#include <algorithm>

#include "reports/metric_table.hpp"
#include "sys/file_io.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::reports::testing {

namespace {

// The statistics of one value (every figure is that value, no spread).
SummaryStats of_one(double value, std::vector<int> outlier_repetitions = {}) {
  return {1,   value, value, value, value, value, value,
          0.0, 0.0,   0.0,   0.95,  value, value, std::move(outlier_repetitions)};
}

Sample failed_container_sample(int repetition, StartMode start_mode, Failure failure) {
  Sample sample;
  sample.backend = "container";
  sample.case_name = "spin";
  sample.repetition = repetition;
  sample.start_mode = start_mode;
  sample.failure = std::move(failure);
  return sample;
}

}  // namespace

Report example_report() {
  Report report;
  report.run_id = "20250301-123456-3f9a";
  report.started_at = "2025-03-01T12:34:56.789Z";
  report.finished_at = "2025-03-01T12:35:10.002Z";
  report.complete = false;
  report.command_line = {"benchrun", "--suite", "startup", "--backends", "native,container", "--runs", "2"};
  report.options.suite = "startup";
  report.options.backends = {"native", "container"};
  Case spin{"spin", "spin", {"10"}, {}};
  spin.limits.memory_bytes = 64ULL << 20;
  spin.limits.cpus = 1.5;
  report.options.cases = {spin};
  report.options.runs = 2;
  report.options.warmup = 1;
  report.options.timeout_ms = 30'000;
  report.options.start_modes = {StartMode::cold, StartMode::warm};
  report.options.cold_settle_ms = 100;
  report.options.out_dir = "results/20250301-123456-3f9a";
  report.options.image = "images/default";

  Environment& env = report.environment;
  env.hostname = "bench-host";
  env.kernel = "Linux 6.1.0-18-cloud-amd64 x86_64";
  env.os = "Debian GNU/Linux 12 (bookworm)";
  env.cpu_model = "Intel(R) Xeon(R) CPU @ 2.20GHz";
  env.cores = 2;
  env.memory_bytes = 24ULL << 30;
  env.cgroup_version = "hybrid";
  env.virtualization = "tcg";
  env.virtualization_reason = "kvm_pvm: a paravirtual nested KVM cannot boot a stock guest kernel";
  env.tools.libvirt = "virsh 9.0.0";
  env.tools.qemu = "QEMU emulator version 7.2.0";
  env.tools.crun = "crun version 1.8.1";
  env.benchrun_version = "0.1.0";
  env.git_commit = "b509f6e0a1b2";
  env.time = "2025-03-01T12:34:56.700Z";

  report.backends = {
      {"native", BackendKind::native, {}, std::nullopt},
      {"container", BackendKind::container, {{"cgroup", std::string("v1")}, {"layers", 1.0}}, std::nullopt}};

  Sample native;
  native.backend = "native";
  native.case_name = "spin";
  native.repetition = 0;
  native.start_mode = StartMode::cold;
  native.ok = true;
  native.metrics = {{"time_to_ready_ms", 1.25}, {"time_to_exit_ms", 11.5}, {"teardown_ms", 0.125}};
  native.phases = {{"launch_returned", 0.5}};
  native.workload_result = WorkloadResult{0, std::nullopt, 10'250'000, 9'800, 120, 1'024, {}};
  native.started_at_monotonic_ns = 123'456'789'000;

  Sample container = native;
  container.backend = "container";
  container.metrics["time_to_ready_ms"] = 3.75;
  container.phases["clone"] = 0.25;
  container.started_at_monotonic_ns += 50'000'000;

  Sample warmup = native;
  warmup.warmup = true;
  warmup.start_mode.reset();  // as in a log of an older benchrun
  warmup.started_at_monotonic_ns -= 50'000'000;

  Sample killed =
      failed_container_sample(1, StartMode::warm, {FailureKind::oom, "OOM-killed: the workload hit its memory limit"});
  killed.workload_result = WorkloadResult{std::nullopt, 9, 5'000'000, 4'000, 100, 65'536, {}};
  killed.started_at_monotonic_ns = 123'556'789'000;
  Sample timed_out =
      failed_container_sample(2, StartMode::cold, {FailureKind::timeout, "no BENCHRUN READY within 30000 ms"});
  timed_out.started_at_monotonic_ns = 123'656'789'000;

  report.samples = {warmup, native, container, killed, timed_out};
  report.metrics = metric_table_for(report.samples).rows;

  report.summaries = {
      {"native", "spin", StartMode::cold, "time_to_ready_ms", "ms", of_one(1.25), std::nullopt},
      {"container", "spin", StartMode::cold, "time_to_ready_ms", "ms", of_one(3.75, {0}), 3.0},
  };
  report.phase_summaries = {
      {"container", "spin", StartMode::cold, "clone", "ms", of_one(0.25), std::nullopt},
      {"container", "spin", StartMode::cold, "launch_returned", "ms", of_one(0.5), std::nullopt},
  };

  report.errors = {"container #1: OOM-killed"};
  report.warnings = {"only 2 runs: intervals are wide"};
  return report;
}

Report example_report_with_checks() {
  Report report = example_report();
  report.samples[1].workload_result->metrics = {{"spin_rate", 2.5e7, "iterations/s", Better::higher}};
  report.samples[1].metrics["spin_rate"] = 2.5e7;
  report.metrics = metric_table_for(report.samples).rows;

  Verdict limit;
  limit.check = "memory.oom_at_limit";
  limit.backend = "container";
  limit.case_name = "spin";
  limit.configured = 67108864.0;
  limit.measured = 66060288.0;
  limit.unit = "bytes";
  limit.tolerance = 0.05;
  limit.pass = true;
  limit.why = "OOM-killed at 98% of memory.max";
  Verdict hidden;
  hidden.check = "pid_namespace.host_pids_hidden";
  hidden.backend = "container";
  hidden.case_name = "spin";
  hidden.measured = std::string("1 pid visible");
  hidden.pass = false;
  hidden.why = "the host's pids showed through";
  report.verdicts = {limit, hidden};

  report.series = {{"memory_per_instance",
                    "container",
                    "spin",
                    "instances",
                    "count",
                    "instance memory",
                    "MiB",
                    {{1.0, 2.5}, {2.0, 2.25}}}};
  return report;
}

std::string schema_complaint(const std::string& document) {
  // Probing for a python3 that imports jsonschema costs a Python start: once per test program.
  static const std::string python = [] {
    for (const std::string candidate : {"/usr/bin/python3", "python3"}) {  // Debian's (scripts/setup.sh), then PATH's
      if (benchrun::testing::run_command({candidate, "-c", "import jsonschema"}).exit_code == 0) return candidate;
    }
    return std::string();
  }();
  if (python.empty()) {
    return "no python3 with the jsonschema module: install it with `apt-get install python3 python3-jsonschema` "
           "(scripts/setup.sh does)";
  }
  const benchrun::testing::TempDir dir("benchrun-schema");
  const auto path = dir.path() / "report.json";
  sys::write_file_atomically(path, document);
  const auto result = benchrun::testing::run_command(
      {python, "-W", "ignore::DeprecationWarning", "-m", "jsonschema", "-i", path.string(), BENCHRUN_REPORT_SCHEMA});
  return result.exit_code == 0 ? "" : result.out.empty() ? "the validator failed without a word" : result.out;
}

std::string fixture_text(const std::string& name) {
  return sys::read_file(std::filesystem::path(BENCHRUN_REPORT_FIXTURES) / name);
}

std::vector<std::string> file_names(const std::filesystem::path& directory) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t newline; (newline = text.find('\n', start)) != std::string::npos; start = newline + 1) {
    lines.push_back(text.substr(start, newline - start));
  }
  return lines;
}

}  // namespace benchrun::reports::testing
