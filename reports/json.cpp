#include "reports/json.hpp"

#include <fmt/format.h>
#include <cmath>
#include <limits>
#include <type_traits>
#include <utility>

#include "sys/error.hpp"

namespace benchrun::reports {
namespace {

using nlohmann::json;

template <typename T>
json optional_to_json(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

// nlohmann's get<int>() casts any number it finds: 1e300 (undefined behaviour), -1 into an unsigned, 2.5
// truncated. Reports come from other machines: an integer is taken only from a JSON integer that fits.
template <typename T>
T integer(const json& value, std::string_view key) {
  const bool fits = value.is_number_unsigned()  ? std::in_range<T>(value.get<std::uint64_t>())
                    : value.is_number_integer() ? std::in_range<T>(value.get<std::int64_t>())
                                                : false;
  if (!fits) {
    throw sys::Error(fmt::format("'{}' is {}, not an integer from {} to {}", key, value.dump(),
                                 std::numeric_limits<T>::min(), std::numeric_limits<T>::max()));
  }
  return value.get<T>();
}

template <typename T>
T value_at(const json& object, const char* key) {
  const json& value = object.at(key);
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    return integer<T>(value, key);
  } else {
    return value.get<T>();
  }
}

template <typename T>
std::optional<T> optional_at(const json& object, const char* key) {
  if (object.at(key).is_null()) return std::nullopt;
  return value_at<T>(object, key);
}

// Keys added to benchrun.report/1 after its first release: written always, optional when read, so a report
// of an older benchrun still reads.
template <typename T>
T added_key_or(const json& object, const char* key, T fallback) {
  const auto found = object.find(key);
  if (found == object.end()) return fallback;
  return found->template get<T>();
}

json start_mode_to_json(const std::optional<StartMode>& mode) { return mode ? json(to_string(*mode)) : json(nullptr); }

std::optional<StartMode> start_mode_at(const json& object) {
  const auto found = object.find("start_mode");
  if (found == object.end() || found->is_null()) return std::nullopt;
  return parse_start_mode(found->get<std::string>());
}

json finite_numbers(const std::map<std::string, double>& numbers, std::string_view what, const Sample& sample) {
  json object = json::object();
  for (const auto& [name, value] : numbers) {
    if (!std::isfinite(value)) {
      throw sys::Error(fmt::format("sample {} #{}: {} '{}' is not a finite number ({})", sample.backend,
                                   sample.repetition, what, name, value));
    }
    object[name] = value;
  }
  return object;
}

}  // namespace

void to_json(json& out, const Failure& failure) {
  out = json{{"kind", to_string(failure.kind)}, {"message", failure.message}};
}

void from_json(const json& in, Failure& failure) {
  failure.kind = parse_failure_kind(in.at("kind").get<std::string>());
  failure.message = in.at("message").get<std::string>();
}

void to_json(json& out, const WorkloadResult& result) {
  out = json{{"exit_code", optional_to_json(result.exit_code)},
             {"signal", optional_to_json(result.signal)},
             {"wall_ns", result.wall_ns},
             {"user_us", result.user_us},
             {"sys_us", result.sys_us},
             {"max_rss_kb", result.max_rss_kb}};
}

void from_json(const json& in, WorkloadResult& result) {
  result.exit_code = optional_at<int>(in, "exit_code");
  result.signal = optional_at<int>(in, "signal");
  result.wall_ns = value_at<std::int64_t>(in, "wall_ns");
  result.user_us = value_at<std::int64_t>(in, "user_us");
  result.sys_us = value_at<std::int64_t>(in, "sys_us");
  result.max_rss_kb = value_at<std::int64_t>(in, "max_rss_kb");
}

void to_json(json& out, const Sample& sample) {
  out = json{{"backend", sample.backend},
             {"repetition", sample.repetition},
             {"warmup", sample.warmup},
             {"start_mode", start_mode_to_json(sample.start_mode)},
             {"ok", sample.ok},
             {"failure", optional_to_json(sample.failure)},
             {"metrics", finite_numbers(sample.metrics, "metric", sample)},
             {"phases", finite_numbers(sample.phases, "phase", sample)},
             {"workload_result", optional_to_json(sample.workload_result)},
             {"started_at_monotonic_ns", sample.started_at_monotonic_ns}};
}

void from_json(const json& in, Sample& sample) {
  sample.backend = in.at("backend").get<std::string>();
  sample.repetition = value_at<int>(in, "repetition");
  sample.warmup = in.at("warmup").get<bool>();
  sample.start_mode = start_mode_at(in);
  sample.ok = in.at("ok").get<bool>();
  sample.failure = optional_at<Failure>(in, "failure");
  sample.metrics = in.at("metrics").get<std::map<std::string, double>>();
  sample.phases = in.at("phases").get<std::map<std::string, double>>();
  sample.workload_result = optional_at<WorkloadResult>(in, "workload_result");
  sample.started_at_monotonic_ns = value_at<std::int64_t>(in, "started_at_monotonic_ns");
}

void to_json(json& out, const Limits& limits) {
  out = json{{"memory_bytes", optional_to_json(limits.memory_bytes)},
             {"cpus", optional_to_json(limits.cpus)},
             {"pids_max", optional_to_json(limits.pids_max)},
             {"cpuset_cpus", optional_to_json(limits.cpuset_cpus)}};
}

void from_json(const json& in, Limits& limits) {
  limits.memory_bytes = optional_at<std::uint64_t>(in, "memory_bytes");
  limits.cpus = optional_at<double>(in, "cpus");
  limits.pids_max = optional_at<std::uint64_t>(in, "pids_max");
  limits.cpuset_cpus = optional_at<std::string>(in, "cpuset_cpus");
}

void to_json(json& out, const RunOptions& options) {
  json start_modes = json::array();
  for (const StartMode mode : options.start_modes) start_modes.push_back(to_string(mode));
  out = json{{"suite", options.suite},
             {"backends", options.backends},
             {"workload", options.workload},
             {"workload_args", options.workload_args},
             {"runs", options.runs},
             {"warmup", options.warmup},
             {"timeout_ms", options.timeout_ms},
             {"start_modes", start_modes},
             {"cold_settle_ms", optional_to_json(options.cold_settle_ms)},
             {"limits", options.limits},
             {"out_dir", options.out_dir},
             {"image", options.image},
             {"libvirt_uri", optional_to_json(options.libvirt_uri)}};
}

void from_json(const json& in, RunOptions& options) {
  options.suite = in.at("suite").get<std::string>();
  options.backends = in.at("backends").get<std::vector<std::string>>();
  options.workload = in.at("workload").get<std::string>();
  options.workload_args = in.at("workload_args").get<std::vector<std::string>>();
  options.runs = value_at<int>(in, "runs");
  options.warmup = value_at<int>(in, "warmup");
  options.timeout_ms = value_at<std::int64_t>(in, "timeout_ms");
  options.start_modes.clear();
  for (const auto& mode : added_key_or(in, "start_modes", std::vector<std::string>{})) {
    options.start_modes.push_back(parse_start_mode(mode));
  }
  options.cold_settle_ms =
      in.contains("cold_settle_ms") ? optional_at<std::int64_t>(in, "cold_settle_ms") : std::nullopt;
  options.limits = in.at("limits").get<Limits>();
  options.out_dir = in.at("out_dir").get<std::string>();
  options.image = in.at("image").get<std::string>();
  options.libvirt_uri = optional_at<std::string>(in, "libvirt_uri");
}

void to_json(json& out, const ToolVersions& tools) {
  out = json{{"libvirt", optional_to_json(tools.libvirt)},
             {"qemu", optional_to_json(tools.qemu)},
             {"crun", optional_to_json(tools.crun)},
             {"runc", optional_to_json(tools.runc)}};
}

void from_json(const json& in, ToolVersions& tools) {
  tools.libvirt = optional_at<std::string>(in, "libvirt");
  tools.qemu = optional_at<std::string>(in, "qemu");
  tools.crun = optional_at<std::string>(in, "crun");
  tools.runc = optional_at<std::string>(in, "runc");
}

void to_json(json& out, const Environment& environment) {
  out = json{{"hostname", environment.hostname},
             {"kernel", environment.kernel},
             {"os", environment.os},
             {"cpu_model", environment.cpu_model},
             {"cores", environment.cores},
             {"memory_bytes", environment.memory_bytes},
             {"cgroup_version", environment.cgroup_version},
             {"virtualization", environment.virtualization},
             {"virtualization_reason", environment.virtualization_reason},
             {"tools", environment.tools},
             {"benchrun_version", environment.benchrun_version},
             {"git_commit", environment.git_commit},
             {"time", environment.time}};
}

void from_json(const json& in, Environment& environment) {
  environment.hostname = in.at("hostname").get<std::string>();
  environment.kernel = in.at("kernel").get<std::string>();
  environment.os = in.at("os").get<std::string>();
  environment.cpu_model = in.at("cpu_model").get<std::string>();
  environment.cores = value_at<unsigned>(in, "cores");
  environment.memory_bytes = value_at<std::uint64_t>(in, "memory_bytes");
  environment.cgroup_version = in.at("cgroup_version").get<std::string>();
  environment.virtualization = in.at("virtualization").get<std::string>();
  environment.virtualization_reason = in.value("virtualization_reason", "");  // absent before 0.2
  environment.tools = in.at("tools").get<ToolVersions>();
  environment.benchrun_version = in.at("benchrun_version").get<std::string>();
  environment.git_commit = in.at("git_commit").get<std::string>();
  environment.time = in.at("time").get<std::string>();
}

void to_json(json& out, const BackendInfo& backend) {
  json details = json::object();
  for (const auto& [key, value] : backend.details) {
    std::visit([&details, &name = key](const auto& held) { details[name] = held; }, value);
  }
  out = json{{"name", backend.name}, {"kind", to_string(backend.kind)}, {"details", std::move(details)}};
}

void from_json(const json& in, BackendInfo& backend) {
  backend.name = in.at("name").get<std::string>();
  backend.kind = parse_backend_kind(in.at("kind").get<std::string>());
  backend.details.clear();
  for (const auto& [key, value] : in.at("details").items()) {
    if (value.is_string())
      backend.details[key] = value.get<std::string>();
    else if (value.is_number())
      backend.details[key] = value.get<double>();
    else
      throw sys::Error(fmt::format("backend {}: detail '{}' is neither a string nor a number", backend.name, key));
  }
}

void to_json(json& out, const SummaryStats& summary) {
  out = json{{"count", summary.count},
             {"min", summary.min},
             {"median", summary.median},
             {"mean", summary.mean},
             {"p90", summary.p90},
             {"p99", summary.p99},
             {"max", summary.max},
             {"stddev", summary.stddev},
             {"mad", summary.mad},
             {"mad_scaled", summary.mad_scaled},
             {"median_ci", json{{"level", summary.ci_level}, {"low", summary.ci_low}, {"high", summary.ci_high}}},
             {"outlier_repetitions", summary.outlier_repetitions}};
}

void from_json(const json& in, SummaryStats& summary) {
  summary.count = value_at<std::size_t>(in, "count");
  summary.min = in.at("min").get<double>();
  summary.median = in.at("median").get<double>();
  summary.mean = in.at("mean").get<double>();
  summary.p90 = in.at("p90").get<double>();
  summary.p99 = in.at("p99").get<double>();
  summary.max = in.at("max").get<double>();
  summary.stddev = in.at("stddev").get<double>();
  summary.mad = in.at("mad").get<double>();
  summary.mad_scaled = in.at("mad_scaled").get<double>();
  const json& interval = in.at("median_ci");
  summary.ci_level = interval.at("level").get<double>();
  summary.ci_low = interval.at("low").get<double>();
  summary.ci_high = interval.at("high").get<double>();
  summary.outlier_repetitions.clear();
  for (const json& repetition : in.at("outlier_repetitions").get<std::vector<json>>()) {
    summary.outlier_repetitions.push_back(integer<int>(repetition, "outlier_repetitions"));
  }
}

void to_json(json& out, const MetricSummary& summary) {
  out = json{{"backend", summary.backend}, {"start_mode", start_mode_to_json(summary.start_mode)},
             {"metric", summary.metric},   {"unit", summary.unit},
             {"summary", summary.summary}, {"ratio_to_native", optional_to_json(summary.ratio_to_native)}};
}

void from_json(const json& in, MetricSummary& summary) {
  summary.backend = in.at("backend").get<std::string>();
  summary.start_mode = start_mode_at(in);
  summary.metric = in.at("metric").get<std::string>();
  summary.unit = in.at("unit").get<std::string>();
  summary.summary = in.at("summary").get<SummaryStats>();
  summary.ratio_to_native = optional_at<double>(in, "ratio_to_native");
}

void to_json(json& out, const Report& report) {
  out = json{{"schema_version", report.schema_version},
             {"run_id", report.run_id},
             {"started_at", report.started_at},
             {"finished_at", report.finished_at},
             {"complete", report.complete},
             {"command_line", report.command_line},
             {"options", report.options},
             {"environment", report.environment},
             {"backends", report.backends},
             {"samples", report.samples},
             {"summaries", report.summaries},
             {"phase_summaries", report.phase_summaries},
             {"errors", report.errors},
             {"warnings", report.warnings}};
}

void from_json(const json& in, Report& report) {
  report.schema_version = in.at("schema_version").get<std::string>();
  if (report.schema_version != report_schema_version) {
    throw sys::Error(
        fmt::format("schema_version is '{}', this benchrun reads '{}'", report.schema_version, report_schema_version));
  }
  report.run_id = in.at("run_id").get<std::string>();
  report.started_at = in.at("started_at").get<std::string>();
  report.finished_at = in.at("finished_at").get<std::string>();
  report.complete = in.at("complete").get<bool>();
  report.command_line = in.at("command_line").get<std::vector<std::string>>();
  report.options = in.at("options").get<RunOptions>();
  report.environment = in.at("environment").get<Environment>();
  report.backends = in.at("backends").get<std::vector<BackendInfo>>();
  report.samples = in.at("samples").get<std::vector<Sample>>();
  report.summaries = in.at("summaries").get<std::vector<MetricSummary>>();
  report.phase_summaries = added_key_or(in, "phase_summaries", std::vector<MetricSummary>{});
  report.errors = in.at("errors").get<std::vector<std::string>>();
  report.warnings = in.at("warnings").get<std::vector<std::string>>();
}

std::string report_to_json_text(const Report& report) { return json(report).dump(2) + "\n"; }

Report parse_report(std::string_view text) {
  try {
    return json::parse(text).get<Report>();
  } catch (const json::exception& error) {
    throw sys::Error(fmt::format("parse report: {}", error.what()));
  } catch (sys::Error& error) {
    error.add_context("parse report");
    throw;
  }
}

std::string sample_to_json_line(const Sample& sample) { return json(sample).dump(); }

Sample parse_sample(std::string_view text) {
  try {
    return json::parse(text).get<Sample>();
  } catch (const json::exception& error) {
    throw sys::Error(fmt::format("parse sample: {}", error.what()));
  } catch (sys::Error& error) {
    error.add_context("parse sample");
    throw;
  }
}

}  // namespace benchrun::reports
