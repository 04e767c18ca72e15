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
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::harness {

// The kernel selftests' values_close: |a - b| <= (a + b) * tolerance / 2, tolerance relative (0.1 = 10 %)
// of the mean of the two. Exposed for tests.
bool values_close(double a, double b, double tolerance);

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
  std::string note;  // where the figures come from when not all from one final read (every verdict says it)
  std::optional<std::uint64_t> cpu_shares;  // read back: cpu.shares (v1)
  std::optional<std::uint64_t> cpu_weight;  // read back: cpu.weight (v2)
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
};

struct LimitCheck;
using Judge = std::vector<reports::Verdict> (*)(const LimitCheck& check, const Observation& seen);
class Backend;
struct StepInput;
struct StepResult;
// A check that runs otherwise than one instance observed to its end (e.g. two at once): it launches, reads
// and judges itself, and tears down all it started. `limit_off`: --limits-off names it.
using Measure = StepResult (*)(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off);

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

// "0-2,5" -> bitmask; nullopt when malformed or beyond 63.
std::optional<std::uint64_t> cpu_list_mask(std::string_view list);

// Tasks the instance holds besides the forker's children: benchinit and the forker itself.
inline constexpr std::uint64_t tasks_before_forks = 2;

}  // namespace benchrun::harness
