// The limits suite's checks as data, and the pure judgement of what one run of a check observed. Each check
// runs a workload that pushes past one limit, and is judged from two sides read independently: the host's
// (the instance's cgroup files, HostView) and the workload's own count (its workload metrics and how it
// ended, WorkloadView). A verdict passes only when both sides show the limit held.
//
// Tolerances, and why (the kernel's cgroup selftests, tools/testing/selftests/cgroup, compare with
// values_close(a, b, err): |a - b| <= (a + b) * err / 100):
// - memory: exact. The page counter refuses a charge over the limit, so the high-water mark
//   (memory.max_usage_in_bytes on v1, memory.peak on v2) cannot pass it; the OOM kill is counted once
//   (test_memcontrol's test_memcg_oom_events expects oom_kill == 1 for one hog).
// - CPU quota: 10 %, test_cpu's test_cpucg_max: the usage expected over a wall-clock window is
//   periods * quota + min(remainder, quota), and the measured usage must not pass it by more than 10 %.
//   Only the upper side is judged: on a loaded host another process may take the CPU the quota allows,
//   and a quota promises a ceiling, not a share. cpu.stat must show throttled periods (it pushed past).
// - pids.max: exact. The fork that would pass the limit fails with EAGAIN (kernel pids controller).
// - cpuset: exact for the affinity mask and the CPUs seen; the host's per-CPU usage (v1 cpuacct) may show
//   up to 1 % of the instance's CPU time elsewhere: on v1 the init joins the cpuacct hierarchy before the
//   cpuset one, and runs for that moment where it was.
// - CPU weight (two instances at once: LimitCheck::measure): limits_weight.hpp.
// - stress-ng observing the CPU quota (a case only with --observer stress-ng): limits_observer.hpp.
// - stress-ng observing the memory limit (a case only with --observer stress-ng): limits_observer_memory.hpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/instance_spec.hpp"
#include "reports/model.hpp"
#include "sys/clock.hpp"
#include "sys/error.hpp"

namespace benchrun::harness {

// The kernel selftests' values_close: |a - b| <= (a + b) * tolerance / 2, tolerance relative (0.1 = 10 %)
// of the mean of the two. Exposed for tests.
bool values_close(double a, double b, double tolerance);

// One block device as the instance's cgroup counts and throttles it (v1 blkio.throttle.io_service_bytes,
// io_serviced, read_bps_device, read_iops_device; v2 io.stat rbytes and rios, io.max rbps and riops).
struct IoDeviceView {
  std::optional<std::uint64_t> read_bytes;
  std::optional<std::uint64_t> reads;
  std::optional<std::uint64_t> read_bps_limit;   // nullopt: "max" or none set
  std::optional<std::uint64_t> read_iops_limit;  // nullopt: "max" or none set
};

// The instance's cgroup as the host read it after the workload ended and before teardown. Empty fields:
// this host's hierarchy lacks the file.
struct HostView {
  std::optional<std::uint64_t> memory_limit_bytes;  // read back: memory.limit_in_bytes / memory.max
  std::optional<std::uint64_t> memory_peak_bytes;   // memory.max_usage_in_bytes / memory.peak
  std::optional<std::uint64_t> oom_kills;           // memory.oom_control / memory.events: oom_kill
  std::optional<std::uint64_t> cpu_usage_ns;        // cpuacct.usage / cpu.stat usage_usec
  std::optional<std::uint64_t> cpu_quota_us;        // cpu.cfs_quota_us / cpu.max (nullopt: unlimited)
  std::optional<std::uint64_t> cpu_period_us;       // cpu.cfs_period_us / cpu.max
  std::optional<std::uint64_t> nr_periods;
  std::optional<std::uint64_t> nr_throttled;
  std::optional<std::uint64_t> pids_max;         // nullopt: "max" or absent
  std::optional<std::uint64_t> pids_max_events;  // pids.events: max (forks refused at the limit)
  std::optional<std::string> cpuset_effective;   // cpuset.effective_cpus / cpuset.cpus.effective
  std::vector<std::uint64_t> usage_per_cpu_ns;   // cpuacct.usage_percpu (v1 only; empty elsewhere)
  // The freezer check (limits_freezer.hpp): whether the kernel reported the cgroup frozen (v1 freezer.state
  // FROZEN, v2 cgroup.events frozen 1) at the start and the end of the frozen window and after the thaw, the
  // CPU the cgroup used inside the window, and how long the window lasted.
  std::optional<bool> frozen_at_window_start;
  std::optional<bool> frozen_at_window_end;
  std::optional<bool> frozen_after_thaw;
  std::optional<std::uint64_t> cpu_usage_in_window_ns;
  std::optional<double> frozen_window_ms;
  std::string note;  // where the figures come from when not all from one final read (every verdict says it)
  std::optional<std::uint64_t> cpu_shares;          // read back: cpu.shares (v1)
  std::optional<std::uint64_t> cpu_weight;          // read back: cpu.weight (v2)
  std::optional<std::string> devices_list;          // v1 devices.list read back (limits_devices.hpp)
  std::optional<std::uint32_t> device_programs;     // v2: device programs attached to the cgroup (BPF_PROG_QUERY)
  std::map<std::string, IoDeviceView> io_devices;   // "7:3" -> what the cgroup counted and throttles there
  std::optional<std::uint64_t> memory_usage_bytes;  // memory.usage_in_bytes / memory.current
  // memory+swap (limits_swap.hpp): the limit read back (v1 memory.memsw.limit_in_bytes, v2 memory.max +
  // memory.swap.max; nullopt where either is "max"), v1's memsw high-water mark, and how often the limit refused
  // a charge (v1 memory.memsw.failcnt, v2 memory.swap.events max).
  std::optional<std::uint64_t> memory_swap_limit_bytes;
  std::optional<std::uint64_t> memory_swap_peak_bytes;
  std::optional<std::uint64_t> swap_limit_hits;
};

// How the workload ended and what it counted itself.
struct WorkloadView {
  bool oom_killed = false;                // the backend saw the instance's OOM kill
  std::optional<int> exit_code;           // the workload's, from benchinit's RESULT
  std::optional<int> signal;              // the signal that killed the workload (RESULT), e.g. 9
  bool result_seen = false;               // benchinit's RESULT line arrived
  std::map<std::string, double> metrics;  // the workload's own metrics
  std::vector<std::string> output;        // the instance's console lines but RESULT (e.g. an observer's report)
};

// What one check run observed.
struct Observation {
  HostView host;
  WorkloadView workload;
  bool limit_applied = true;  // false under --limits-off: the instance ran without this check's limit
  // Launch to exit on the host's clock: it holds the cgroup's whole life, setup before the workload included
  // (seconds in a TCG guest), so the CPU quota's host side is judged over it; nullopt: the workload's window.
  std::optional<double> instance_wall_ms;
  std::string io_device;  // "major:minor" of the device an I/O check throttles (set by its prepare)
};

struct LimitCheck;
using Judge = std::vector<reports::Verdict> (*)(const LimitCheck& check, const Observation& seen);
class Backend;
struct StepInput;
struct StepResult;
// A check that runs otherwise than one instance observed to its end (e.g. two at once): it launches, reads
// and judges itself, and tears down all it started. `limit_off`: --limits-off names it.
using Measure = StepResult (*)(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off);

struct InstanceSpec;
// A check's own way to run, where running the workload to its end is not enough (acting on the instance while
// it runs): launches `spec` on `backend`, reads the host's side through `cgroup_relative`
// (instance_cgroup_relative), fills `sample` with the workload's figures and returns what was observed.
// `limit_off`: --limits-off named the check. Throws like the default run (Error, Timeout, Interrupted).
using Observe = Observation (*)(const LimitCheck& check, Backend& backend, const InstanceSpec& spec,
                                const std::filesystem::path& cgroup_relative, bool limit_off, sys::MonotonicNs deadline,
                                reports::Sample& sample);

// Optional, for a check whose instance needs something on the host first (a loop device with a filesystem,
// a folder on the host's disk, under `scratch_root`): makes it, adds it to the spec (binds, the throttled
// device) and to the observation (the device to judge), and returns what is removed after teardown.
using Prepare = std::shared_ptr<void> (*)(const LimitCheck& check, const std::filesystem::path& scratch_root,
                                          InstanceSpec& spec, Observation& seen);
// Optional: why the check cannot run on this host (memory+swap where there is no swap). The suite then
// launches nothing and says so as a warning of the run, which does not fail it.
using NotApplicable = std::optional<std::string> (*)();

// One check: a workload that pushes past `limits`, and how to judge what happened.
struct LimitCheck {
  std::string_view name;  // the case name and what --limits-off takes: "memory", "cpu-quota", "pids", "cpuset"
  std::string_view help;
  std::string workload;
  std::vector<std::string> workload_args;
  reports::Limits limits;  // what the check configures (cpuset: the host's last CPU, so there is another)
  Judge judge = nullptr;
  Measure measure = nullptr;  // set: measure_limit_check hands the check over to it (judge unused)
  // Set: an independent observer the check runs (e.g. "stress-ng"), a case only when --observer names it.
  std::string_view observer{};
  Observe observe = nullptr;  // nullptr: the workload runs to its end, the host's view read after it
  // --limits-off for a check whose limit is not one of reports::Limits (devices): switches it off in the spec.
  void (*turn_off)(InstanceSpec& spec) = nullptr;
  Prepare prepare = nullptr;
  NotApplicable not_applicable = nullptr;
};

// Every check of the suite, for a host with `online_cpus` CPUs.
std::vector<LimitCheck> limit_checks(unsigned online_cpus);
std::vector<std::string> limit_check_names();
const LimitCheck* find_limit_check(std::span<const LimitCheck> checks, std::string_view name);

// The judgements (each returns the check's verdicts; backend and case are filled in by the runner).
std::vector<reports::Verdict> judge_memory(const LimitCheck& check, const Observation& seen);
std::vector<reports::Verdict> judge_cpu_quota(const LimitCheck& check, const Observation& seen);
std::vector<reports::Verdict> judge_pids(const LimitCheck& check, const Observation& seen);
std::vector<reports::Verdict> judge_cpuset(const LimitCheck& check, const Observation& seen);
// The memory checks' OOM verdict `name`: the cgroup counted exactly one OOM kill, and oomprobe's hog child (of
// check.workload_args[0] MiB) ended by SIGKILL. `limit_text` says what the hog ran under ("32 MiB").
reports::Verdict judge_hog_oom_kill(std::string name, const LimitCheck& check, const Observation& seen,
                                    std::string_view limit_text);

// A verdict saying what it checks, against what, and what was measured; pass and why are the judgement's.
reports::Verdict make_verdict(std::string check, std::optional<reports::VerdictValue> configured,
                              std::optional<reports::VerdictValue> measured, std::string unit,
                              std::optional<double> tolerance);
// The memory checks' limit: memory (limits_checks.cpp), memory-stress-ng (limits_observer_memory.cpp) and
// memory-swap (limits_swap.cpp, with swap on top) judge the same 32 MiB.
inline constexpr std::uint64_t memory_check_limit_bytes = 32ULL << 20;
// A judgement's end, for the checks judged from an Observation: pass when `failures` is empty, with
// `pass_reason` as the reason, else every failure joined by "; " and, when the instance ran without the limit,
// " (ran without its limit: --limits-off)"; the host's note, if any, in parentheses after either.
void conclude(reports::Verdict& verdict, const std::vector<std::string>& failures, std::string pass_reason,
              const Observation& seen);
// The failure a step's sample records for `error`: a timeout when it is sys::Timeout, an error otherwise.
reports::Failure step_failure(const sys::Error& error);
// What benchinit's RESULT line said, kept on both sides: the workload's view (how it ended, its own metrics)
// and the step's sample (its metrics and result).
void take_result(const reports::WorkloadResult& result, WorkloadView& workload, reports::Sample& sample);

// Helpers of the judgements, shared by every check's file: the workload's own metric `name` when it reported
// it; how the workload ended, for a verdict's reason; a CPU mask as a list (0b1011 -> "0-1,3", 0 -> "none").
std::optional<double> workload_metric(const Observation& seen, const std::string& name);
// The figure named `name` in a map of figures (a workload's metrics, a vm host view), nullopt when absent.
std::optional<double> named_figure(const std::map<std::string, double>& figures, const std::string& name);
std::string how_it_ended(const WorkloadView& workload);
std::string cpu_mask_list(std::uint64_t mask);

// "0-2,5" -> bitmask; nullopt when malformed or beyond 63.
std::optional<std::uint64_t> cpu_list_mask(std::string_view list);

// Tasks the instance holds besides the forker's children: benchinit and the forker itself.
inline constexpr std::uint64_t tasks_before_forks = 2;

}  // namespace benchrun::harness
