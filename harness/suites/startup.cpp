#include "harness/suites/startup.hpp"

#include <fmt/format.h>
#include <sstream>

#include "harness/workload_protocol.hpp"

namespace benchrun::harness {
namespace {

double ms_between(sys::MonotonicNs from, sys::MonotonicNs to) { return static_cast<double>(to - from) / 1e6; }

// What the console said, stamped on arrival: READY, then RESULT (or less, if the instance died first).
struct ConsoleMilestones {
  std::optional<sys::MonotonicNs> ready_at;
  std::optional<sys::ConsoleLine> result_line;
};

ConsoleMilestones read_until_result(Instance& instance, sys::MonotonicNs deadline, std::vector<std::string>* output) {
  ConsoleMilestones seen;
  while (!seen.result_line) {
    std::optional<sys::ConsoleLine> line = instance.next_line(deadline);
    if (!line) break;
    if (!seen.ready_at && is_ready_line(line->text))
      seen.ready_at = line->at;
    else if (is_result_line(line->text))
      seen.result_line = std::move(line);
    else if (output != nullptr)
      output->push_back(line->text);
  }
  return seen;
}

// Why a sample that ran to its end still failed, if it did.
std::optional<reports::Failure> judge(const InstanceExit& exit, const ConsoleMilestones& seen,
                                      const std::optional<reports::WorkloadResult>& result, Instance& instance) {
  using reports::FailureKind;
  if (exit.oom_killed) return reports::Failure{FailureKind::oom, "OOM-killed: the workload hit its memory limit"};
  if (!seen.ready_at || !seen.result_line) {
    return reports::Failure{FailureKind::crash, fmt::format("instance ended ({}) before {}{}", describe(exit),
                                                            seen.ready_at ? "BENCHRUN RESULT" : "BENCHRUN READY",
                                                            with_diagnostics(instance.diagnostics()))};
  }
  if (!result || result->exit_code != 0) {
    return reports::Failure{FailureKind::crash, fmt::format("workload failed: {}{}", describe(result),
                                                            with_diagnostics(instance.diagnostics()))};
  }
  return std::nullopt;
}

// Times one instance from launch to teardown, recording a failure of the running instance in `sample`.
// Throws Error or Timeout when the launch itself fails, Interrupted on a stop request.
void run_to_teardown(Backend& backend, const InstanceSpec& spec, sys::MonotonicNs deadline, reports::Sample& sample,
                     std::vector<std::string>* output) {
  const sys::MonotonicNs launched_at = sys::monotonic_now();
  sample.started_at_monotonic_ns = launched_at;
  std::unique_ptr<Instance> instance = backend.launch(spec, deadline);
  sample.phases["launch_returned"] = ms_between(launched_at, sys::monotonic_now());

  // Whatever happens below, the instance is torn down.
  const TeardownGuard teardown_guard{*instance};

  const auto record_phases = [&] {
    for (const auto& [phase, at] : instance->phases()) sample.phases[phase] = ms_between(launched_at, at);
  };
  const auto fail = [&](reports::FailureKind kind, const sys::Error& error) {
    record_phases();
    sample.failure =
        reports::Failure{kind, fmt::format("{}{}", error.what(), with_diagnostics(instance->diagnostics()))};
  };
  try {
    const ConsoleMilestones seen = read_until_result(*instance, deadline, output);
    if (seen.ready_at) sample.metrics["time_to_ready_ms"] = ms_between(launched_at, *seen.ready_at);
    if (seen.result_line) {
      sample.metrics["time_to_result_ms"] = ms_between(launched_at, seen.result_line->at);
      sample.workload_result = parse_result_line(seen.result_line->text);
      // The same figure on every backend: benchinit's wait4 of the workload.
      sample.metrics["workload_max_rss_mib"] = static_cast<double>(sample.workload_result->max_rss_kb) / 1024;
      // The workload's own figures, summarized like every metric (their table rows: report_builder).
      for (const auto& metric : sample.workload_result->metrics) sample.metrics[metric.name] = metric.value;
    }

    const InstanceExit exit = instance->wait_exit(deadline);
    sample.metrics["time_to_exit_ms"] = ms_between(launched_at, exit.at);
    const InstanceStats stats = instance->stats();
    if (stats.memory_peak_bytes)
      sample.metrics["instance_memory_mib"] = static_cast<double>(*stats.memory_peak_bytes) / (1 << 20);
    if (stats.cpu_time_ns) sample.metrics["cpu_time_ms"] = static_cast<double>(*stats.cpu_time_ns) / 1e6;
    for (const auto& [name, value] : instance->backend_metrics()) sample.metrics[name] = value;
    record_phases();
    if (output != nullptr) {
      // What the workload wrote on stderr (a tool's figures, stress-ng's among them), its last lines.
      std::istringstream tail(instance->diagnostics());
      for (std::string line; std::getline(tail, line);) output->push_back(line);
    }

    const sys::MonotonicNs teardown_from = sys::monotonic_now();
    instance->destroy();
    const sys::MonotonicNs torn_down_at = sys::monotonic_now();
    // A native process is gone once reaped: it has no teardown to time, and a ~0 figure would only
    // make every other backend's ratio meaningless.
    if (backend.kind() != reports::BackendKind::native)
      sample.metrics["teardown_ms"] = ms_between(teardown_from, torn_down_at);
    sample.metrics["total_ms"] = ms_between(launched_at, torn_down_at);
    sample.failure = judge(exit, seen, sample.workload_result, *instance);
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Timeout& timeout) {
    fail(reports::FailureKind::timeout, timeout);
  } catch (const sys::Error& error) {
    fail(reports::FailureKind::error, error);
  }
}

}  // namespace

reports::Sample measure_startup(Backend& backend, const InstanceSpec& spec, std::chrono::milliseconds timeout,
                                std::vector<std::string>* output) {
  reports::Sample sample;
  sample.backend = backend.name();
  const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(timeout).count();
  try {
    run_to_teardown(backend, spec, deadline, sample, output);
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Timeout& timeout_error) {
    sample.failure = reports::Failure{reports::FailureKind::timeout, timeout_error.what()};
  } catch (const sys::Error& error) {
    sample.failure = reports::Failure{reports::FailureKind::error, error.what()};
  }
  sample.ok = !sample.failure.has_value();
  return sample;
}

std::vector<reports::Case> startup_cases(const CaseFlags& flags) {
  if (flags.workload_words.empty()) throw sys::Error("empty --workload: e.g. --workload hello");
  const std::string& workload = flags.workload_words.front();
  return {
      reports::Case{workload, workload, {flags.workload_words.begin() + 1, flags.workload_words.end()}, flags.limits}};
}

Step make_startup_step(const SuiteOptions& /*options*/) {
  return [](Backend& backend, const StepInput& input) {
    StepResult result;
    result.samples.push_back(
        measure_startup(backend, instance_spec(input.test_case, input.next_instance_name()), input.timeout));
    return result;
  };
}

}  // namespace benchrun::harness
