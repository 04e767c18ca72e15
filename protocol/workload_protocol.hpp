// The workload protocol, the one place its words are spelled: benchinit (inside every instance) prints
// `BENCHRUN READY` just before it starts the workload, and `BENCHRUN RESULT {json}` once the workload was
// reaped, each alone on its line. Plain constexpr values, no includes: benchinit is a static, libc-only
// program, and the host side (harness/workload_protocol.hpp) takes the same bytes.
// Shell scripts that match these lines keep their own literal and name this header next to it.
#pragma once

namespace benchrun::protocol {

// The whole line, once the instance is up: time to ready is measured to its arrival.
inline constexpr char ready_line[] = "BENCHRUN READY";
// The start of the last line; a JSON object follows (the host reads it as reports::WorkloadResult):
//   {"exit_code": int|null, "signal": int|null, "wall_ns", "user_us", "sys_us", "max_rss_kb": int,
//    "metrics": [{"name": str, "value": number, "unit": str, "better": "lower"|"higher"}, ...]}
inline constexpr char result_prefix[] = "BENCHRUN RESULT ";

// Workload metrics: a workload's own figures (e.g. ops/s), forwarded in RESULT's "metrics".
// benchinit passes the workload a file descriptor (a memfd it reads back once the workload was reaped,
// so a workload never blocks on it) whose number is in this environment variable; no variable, no
// metrics (e.g. benchinit --quiet). The workload writes one line per metric:
//   name value unit lower|higher
// name: 1 to max_metric_name_length of [a-z0-9_]; value: a finite decimal number (strtod); unit: 1 to
// max_metric_unit_length printable characters without spaces, quotes or backslashes ("ops/s", "MiB");
// lower|higher: which way the metric improves. benchinit forwards at most max_workload_metrics lines of the
// first max_metrics_bytes bytes, in order; a malformed line, a name given twice, and lines beyond the limits
// are dropped with a note on stderr and never break RESULT. The host refuses a name benchrun already
// measures itself (e.g. total_ms): the sample fails, saying so.
inline constexpr char metrics_fd_env[] = "BENCHRUN_METRICS_FD";
inline constexpr int max_workload_metrics = 16;
inline constexpr int max_metric_name_length = 63;
inline constexpr int max_metric_unit_length = 15;
inline constexpr int max_metrics_bytes = 4096;

// A container's own phases, for a host that cannot see them (a container inside a guest): `benchrun run
// --phases-fd FD` writes one line to FD once the container was torn down:
//   BENCHRUN PHASES name=ms name=ms ...
// each name one of the container's phases ([a-z_]+: prepared, cloned, cgroup_ready, mounts_done, exec), each
// ms a finite decimal number >= 0: milliseconds from the container's start to that phase on the CLOCK_MONOTONIC
// of the machine that ran it (a guest's clock, not the host's). A phase that was not stamped is left out.
inline constexpr char phases_prefix[] = "BENCHRUN PHASES ";

}  // namespace benchrun::protocol
