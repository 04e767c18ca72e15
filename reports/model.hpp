// The Report model: everything one benchrun run measured and the context needed to judge it. This is the
// only thing reports/ knows; the harness fills it, exporters (JSON, table, later HTML/Markdown) read it.
// Its JSON form is schema/report.schema.json ("benchrun.report/1"); a change here changes that schema.
//
// Optional values are std::optional and appear in JSON as null (every key is always present), so a reader
// can tell "not measured" from "forgot to write".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace benchrun::reports {

inline constexpr std::string_view report_schema_version = "benchrun.report/1";

enum class FailureKind { crash, timeout, oom, error };

// How the host stood when a measured launch began. cold: after a settle time with no launch at all (a lone
// `docker run`); warm: right after a launch of the same backend (a burst). On cgroup v1 the two differ by an
// RCU grace period in the first cgroup attach (see harness/runner.hpp), so they are reported apart.
enum class StartMode { cold, warm };

struct Failure {
  FailureKind kind = FailureKind::error;
  std::string message;
};

// The workload's own figures, from benchinit's `BENCHRUN RESULT {json}` line.
struct WorkloadResult {
  std::optional<int> exit_code;  // null when killed by a signal
  std::optional<int> signal;
  std::int64_t wall_ns = 0;
  std::int64_t user_us = 0;
  std::int64_t sys_us = 0;
  std::int64_t max_rss_kb = 0;
};

// One measured instance (one repetition of one backend).
struct Sample {
  std::string backend;
  int repetition = 0;  // 0-based, counted separately for warm-up and measured rounds
  bool warmup = false;
  std::optional<StartMode> start_mode;  // null in reports written before start modes existed
  bool ok = false;  // true exactly when failure is empty
  std::optional<Failure> failure;
  std::map<std::string, double> metrics;  // e.g. time_to_ready_ms; the name's suffix is its unit
  std::map<std::string, double> phases;   // phase name -> ms since launch
  std::optional<WorkloadResult> workload_result;
  std::int64_t started_at_monotonic_ns = 0;  // CLOCK_MONOTONIC at launch: orders samples across backends
};

struct Limits {
  std::optional<std::uint64_t> memory_bytes;
  std::optional<double> cpus;
  std::optional<std::uint64_t> pids_max;
  std::optional<std::string> cpuset_cpus;
};

// What the user asked for.
struct RunOptions {
  std::string suite;
  std::vector<std::string> backends;
  std::string workload;
  std::vector<std::string> workload_args;
  int runs = 0;
  int warmup = 0;
  std::int64_t timeout_ms = 0;
  std::vector<StartMode> start_modes;         // in the order each round takes them; empty in older reports
  std::optional<std::int64_t> cold_settle_ms;  // idle time before each cold launch; null without cold starts
  Limits limits;
  std::string out_dir;
  std::string image;                        // the image directory the instances ran from
  std::optional<std::string> libvirt_uri;   // null: the embedded driver (or no VM backend)
};

struct ToolVersions {
  std::optional<std::string> libvirt;
  std::optional<std::string> qemu;
  std::optional<std::string> crun;
  std::optional<std::string> runc;
};

struct Environment {
  std::string hostname;
  std::string kernel;
  std::string os;
  std::string cpu_model;
  unsigned cores = 0;
  std::uint64_t memory_bytes = 0;
  std::string cgroup_version;  // "v1", "v2" or "hybrid"
  std::string virtualization;  // what a VM gets here: "kvm", "tcg" (emulation), "none" (no QEMU)
  std::string virtualization_reason;  // why, e.g. "kvm_pvm: a paravirtual nested KVM cannot boot a stock guest kernel"
  ToolVersions tools;
  std::string benchrun_version;
  std::string git_commit;
  std::string time;  // RFC 3339 UTC, when the environment was probed
};

enum class BackendKind { native, container, oci, vm };

using DetailValue = std::variant<std::string, double>;

struct BackendInfo {
  std::string name;
  BackendKind kind = BackendKind::native;
  std::map<std::string, DetailValue> details;  // e.g. {"domain_type": "qemu"}
};

// Statistics of one metric as the report carries them; computed by stats/ (see
// stats/report_summaries.hpp), kept as a plain struct here so reports/ needs nothing from stats/.
struct SummaryStats {
  std::size_t count = 0;
  double min = 0.0;
  double median = 0.0;
  double mean = 0.0;
  double p90 = 0.0;  // type 7 percentiles (numpy's default)
  double p99 = 0.0;
  double max = 0.0;
  double stddev = 0.0;      // sample standard deviation (n - 1); 0 when count is 1
  double mad = 0.0;         // median absolute deviation, raw
  double mad_scaled = 0.0;  // mad * 1.4826
  double ci_level = 0.95;
  double ci_low = 0.0;   // percentile bootstrap interval of the median
  double ci_high = 0.0;
  std::vector<int> outlier_repetitions;  // repetitions whose |modified Z-score| > 3.5
};

// The statistics of one backend x start mode x metric (or phase: then `metric` is the phase's name and the
// figures are ms since launch).
struct MetricSummary {
  std::string backend;
  std::optional<StartMode> start_mode;  // null: samples without a start mode (older reports)
  std::string metric;
  std::string unit;  // "ms", "MiB", "bytes", "count", ...
  SummaryStats summary;
  std::optional<double> ratio_to_native;  // median / native's median of the same metric and start mode
};

struct Report {
  std::string schema_version{report_schema_version};
  std::string run_id;
  std::string started_at;   // RFC 3339 UTC
  std::string finished_at;  // RFC 3339 UTC
  // False when the run was interrupted or aborted: a partial report never passes for a complete one.
  bool complete = false;
  std::vector<std::string> command_line;
  RunOptions options;
  Environment environment;
  std::vector<BackendInfo> backends;
  std::vector<Sample> samples;
  std::vector<MetricSummary> summaries;
  // Where the time to ready goes: one row per backend x start mode x phase, no ratio. Empty in older reports.
  std::vector<MetricSummary> phase_summaries;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

std::string_view to_string(FailureKind kind);
std::string_view to_string(BackendKind kind);
std::string_view to_string(StartMode mode);
// Throw Error naming the unknown text.
FailureKind parse_failure_kind(std::string_view text);
BackendKind parse_backend_kind(std::string_view text);
StartMode parse_start_mode(std::string_view text);

// The unit a metric's name ends in: "_ms" -> "ms", "_mib" -> "MiB", "_bytes" -> "bytes", "_us" -> "us",
// "_ns" -> "ns", "_pct" -> "%"; "count" otherwise.
std::string unit_of_metric(std::string_view metric);

}  // namespace benchrun::reports
