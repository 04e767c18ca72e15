// The Report model: everything one benchrun run measured and the context needed to judge it. This is the
// only thing reports/ knows; the harness fills it, exporters (JSON, table, later HTML/Markdown) read it.
// Its JSON form is schema/report.schema.json ("benchrun.report/2"); a change here changes that schema.
// Readers also take "benchrun.report/1" (written before cases existed): it reads as a v2 report with one case.
//
// Optional values are std::optional and appear in JSON as null (every key is always present), so a reader
// can tell "not measured" from "forgot to write".
//
// Growing v2: a key may join "benchrun.report/2" without a new version only when its absence has exactly one
// meaning, which the reader supplies for a v2 file written before it (Report.hosts absent: [], a single-host
// report; BackendInfo.host absent: null). Writers always write it, the schema lists it without requiring it,
// and an older benchrun still reads the newer file (its reader ignores keys it does not know). A key removed,
// renamed, retyped or given a new meaning needs "benchrun.report/3".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace benchrun::reports {

inline constexpr std::string_view report_schema_version = "benchrun.report/2";
inline constexpr std::string_view report_schema_version_v1 = "benchrun.report/1";

enum class FailureKind { crash, timeout, oom, error };

// Which way a metric improves: compare and the HTML read it from the metric table, never from the name.
enum class Better { lower, higher };

// One row of the metric table: every metric a report carries (the suite's own and the workloads') has one,
// and statistics, JSON, schema, table, compare and HTML all read it from there.
struct MetricDef {
  std::string name;  // e.g. "time_to_ready_ms", or a workload's own "ops_per_s"
  std::string unit;  // "ms", "MiB", "ops/s", "count", ...
  Better better = Better::lower;
  std::string description;
  bool operator==(const MetricDef&) const = default;
};

// Resource limits applied to an instance (native runs ignore them: it is the unconfined baseline).
struct Limits {
  std::optional<std::uint64_t> memory_bytes;
  std::optional<double> cpus;
  std::optional<std::uint64_t> pids_max;
  std::optional<std::string> cpuset_cpus;
  std::optional<std::uint64_t> cpu_weight;  // v2 cpu.weight 1..10000 (100: the default); cpu.shares on v1
  // Read throttles of the instance's scratch block device (the limits suite's loop device, InstanceSpec's
  // throttled_device): bytes per second and reads per second.
  std::optional<std::uint64_t> io_read_bps;
  std::optional<std::uint64_t> io_read_iops;
  // Memory and swap together (docker's --memory-swap): v1 memory.memsw.limit_in_bytes, v2 memory.swap.max set
  // to this less memory_bytes. Only with memory_bytes, and not below it.
  std::optional<std::uint64_t> memory_swap_bytes;

  [[nodiscard]] bool any() const {
    return memory_bytes || cpus || pids_max || cpuset_cpus || cpu_weight || io_read_bps || io_read_iops ||
           memory_swap_bytes;
  }
  bool operator==(const Limits&) const = default;
};

// One case of a suite: a workload with its arguments and the limits it runs under (e.g. `hog 256` under 64M).
// A suite measures every case on every backend.
struct Case {
  std::string name;  // unique within a report, e.g. "hello" or "hog-256M@64M"
  std::string workload;
  std::vector<std::string> workload_args;
  Limits limits;
  bool operator==(const Case&) const = default;
};

// How the host stood when a measured launch began. cold: after a settle time with no launch at all (a lone
// `docker run`); warm: right after a launch of the same backend (a burst). On cgroup v1 the two differ by an
// RCU grace period in the first cgroup attach (see harness/runner.hpp), so they are reported apart.
enum class StartMode { cold, warm };

struct Failure {
  FailureKind kind = FailureKind::error;
  std::string message;
};

// A figure the workload measured itself (e.g. STREAM's triad MB/s), forwarded by benchinit in RESULT.
struct WorkloadMetric {
  std::string name;
  double value = 0.0;
  std::string unit;
  Better better = Better::lower;
  bool operator==(const WorkloadMetric&) const = default;
};

// The workload's own figures, from benchinit's `BENCHRUN RESULT {json}` line.
struct WorkloadResult {
  std::optional<int> exit_code;  // null when killed by a signal
  std::optional<int> signal;
  std::int64_t wall_ns = 0;
  std::int64_t user_us = 0;
  std::int64_t sys_us = 0;
  std::int64_t max_rss_kb = 0;
  std::vector<WorkloadMetric> metrics;  // empty when the workload reported none
};

// One measured instance (one repetition of one backend).
struct Sample {
  std::string backend;
  std::string case_name;  // a Case of options.cases
  int repetition = 0;     // 0-based, counted separately for warm-up and measured rounds
  bool warmup = false;
  std::optional<StartMode> start_mode;  // null in v1 reports written before start modes existed
  bool ok = false;                      // true exactly when failure is empty
  std::optional<Failure> failure;
  std::map<std::string, double> metrics;  // e.g. time_to_ready_ms; unit and direction: Report.metrics
  std::map<std::string, double> phases;   // phase name -> ms since launch
  std::optional<WorkloadResult> workload_result;
  // CLOCK_MONOTONIC at launch: orders samples across backends of one host. Each host has its own clock, so in
  // a merged report times of different hosts are not comparable (merging keeps them as measured).
  std::int64_t started_at_monotonic_ns = 0;
};

// What the user asked for.
struct RunOptions {
  std::string suite;
  std::vector<std::string> backends;
  std::vector<Case> cases;  // in the order each round takes them
  int runs = 0;
  int warmup = 0;
  std::int64_t timeout_ms = 0;
  std::vector<StartMode> start_modes;          // in the order each round takes them; empty in older v1 reports
  std::optional<std::int64_t> cold_settle_ms;  // idle time before each cold launch; null without cold starts
  std::string out_dir;
  std::string image;                       // the image directory the instances ran from
  std::optional<std::string> libvirt_uri;  // null: the embedded driver (or no VM backend)
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
  std::string cgroup_version;         // "v1", "v2" or "hybrid"
  std::string virtualization;         // what a VM gets here: "kvm", "tcg" (emulation), "none" (no QEMU)
  std::string virtualization_reason;  // why, e.g. "kvm_pvm: a paravirtual nested KVM cannot boot a stock guest kernel"
  ToolVersions tools;
  std::string benchrun_version;
  std::string git_commit;
  std::string time;  // RFC 3339 UTC, when the environment was probed
};

enum class BackendKind { native, container, oci, vm };

using DetailValue = std::variant<std::string, double>;

struct BackendInfo {
  std::string name;  // in a merged report "<host>/<backend>", e.g. "lab1/container"
  BackendKind kind = BackendKind::native;
  std::map<std::string, DetailValue> details;  // e.g. {"domain_type": "qemu"}
  // The host (a HostEnvironment.host) it ran on in a merged report, so nobody parses names; null in the
  // report of one run.
  std::optional<std::string> host;
};

// One host of a merged report (`benchrun merge`): the name that qualifies its backends and how it stood.
struct HostEnvironment {
  std::string host;  // unique in the report, no '/': its Environment.hostname unless the merge renamed it
  Environment environment;
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
  double ci_low = 0.0;  // percentile bootstrap interval of the median
  double ci_high = 0.0;
  std::vector<int> outlier_repetitions;  // repetitions whose |modified Z-score| > 3.5
};

// The statistics of one backend x case x start mode x metric (or phase: then `metric` is the phase's name and the
// figures are ms since launch).
struct MetricSummary {
  std::string backend;
  std::string case_name;
  std::optional<StartMode> start_mode;  // null: samples without a start mode (older reports)
  std::string metric;
  std::string unit;  // the metric table's unit of `metric` ("ms" for a phase), repeated for readers of one row
  SummaryStats summary;
  std::optional<double> ratio_to_native;  // median / native's median of the same case, metric and start mode
};

using VerdictValue = std::variant<std::string, double>;

// The outcome of one check (limits, isolation): what was configured, what was measured, how close it had to
// be, and why it passed or failed. A run with a failed verdict exits 1.
struct Verdict {
  std::string check;  // e.g. "memory.oom_at_limit", "pid_namespace.host_pids_hidden"
  std::string backend;
  std::string case_name;
  std::optional<VerdictValue> configured;  // null where nothing is configured (isolation checks)
  std::optional<VerdictValue> measured;
  std::string unit;                 // of configured and measured, "" when they are text
  std::optional<double> tolerance;  // relative (0.1 = 10%), null when the check is exact
  bool pass = false;
  std::string why;
};

struct SeriesPoint {
  double x = 0.0;
  double y = 0.0;
  bool operator==(const SeriesPoint&) const = default;
};

// A curve a suite measured in one go, e.g. memory per instance against the number of instances alive.
struct Series {
  std::string name;  // e.g. "memory_per_instance"
  std::string backend;
  std::string case_name;
  std::string x_label;  // e.g. "instances"
  std::string x_unit;   // "count"
  std::string y_label;  // e.g. "instance memory"
  std::string y_unit;   // "MiB"
  std::vector<SeriesPoint> points;
};

struct Report {
  std::string schema_version{report_schema_version};  // as read; writers always write report_schema_version
  std::string run_id;
  std::string started_at;   // RFC 3339 UTC
  std::string finished_at;  // RFC 3339 UTC
  // False when the run was interrupted or aborted: a partial report never passes for a complete one.
  bool complete = false;
  std::vector<std::string> command_line;
  RunOptions options;
  // Where the report was measured; in a merged report the first host's (hosts[0].environment).
  Environment environment;
  // A merged report's hosts in merge order, each with its environment; empty in the report of one run (its
  // one host is `environment`): a non-empty list is what marks a report as merged.
  std::vector<HostEnvironment> hosts;
  std::vector<BackendInfo> backends;
  std::vector<MetricDef> metrics;  // the metric table: one row per metric in samples and summaries
  std::vector<Sample> samples;
  std::vector<MetricSummary> summaries;
  // Where the time to ready goes: one row per backend x case x start mode x phase, no ratio.
  std::vector<MetricSummary> phase_summaries;
  std::vector<Verdict> verdicts;
  std::vector<Series> series;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

std::string_view to_string(FailureKind kind);
std::string_view to_string(BackendKind kind);
std::string_view to_string(StartMode mode);
std::string_view to_string(Better better);
// Throw Error naming the unknown text.
FailureKind parse_failure_kind(std::string_view text);
BackendKind parse_backend_kind(std::string_view text);
StartMode parse_start_mode(std::string_view text);
Better parse_better(std::string_view text);

}  // namespace benchrun::reports
