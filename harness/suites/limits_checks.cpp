#include "harness/suites/limits_checks.hpp"

#include "harness/suites/limits_devices.hpp"
#include "harness/suites/limits_io.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>

#include "harness/suites/limits_freezer.hpp"
#include "harness/suites/limits_observer.hpp"
#include "harness/suites/limits_observer_memory.hpp"
#include "harness/suites/limits_weight.hpp"

namespace benchrun::harness {
namespace {

using reports::Verdict;

constexpr std::uint64_t mib = 1ULL << 20;
// The memory check: a hog of 128 MiB under memory_check_limit_bytes (32 MiB), four times the limit so it cannot fit by
// luck; oomprobe stays 500 ms after the kill so the host reads the cgroup's counter even where the runtime removes the
// cgroup at exit (crun, runc on v1, where the parent's oom_kill does not count its children's).
constexpr const char* memory_hog_mib = "128";
constexpr const char* memory_hold_ms = "500";
// The CPU check: a quarter of a CPU over the default 100 ms period, burnt for 3 s (30 periods: the
// selftest's 1 s at HZ=1000 holds 10; more periods shrink the weight of the last partial one).
constexpr double quota_cpus = 0.25;
constexpr std::uint64_t cfs_period_us = 100'000;
constexpr const char* burn_ms = "3000";
constexpr double cpu_tolerance = 0.10;
// The pids check: 16 tasks, a forker asking for 64 and holding them 500 ms, so the host reads the cgroup
// while they live even where the runtime removes it at exit (crun, runc; see limits_host.hpp).
constexpr std::uint64_t pids_limit = 16;
constexpr const char* forks_wanted = "64";
constexpr const char* forks_hold_ms = "500";
// The cpuset check: the share of the instance's CPU time the host may see on other CPUs (see the header).
constexpr double cpuset_outside_share = 0.01;
constexpr const char* affinity_ms = "1000";

// Appended to a failing verdict's reason when the instance ran without the limit on purpose.
std::string limit_note(const Observation& seen) {
  return seen.limit_applied ? "" : " (ran without its limit: --limits-off)";
}

double to_mib(std::uint64_t bytes) { return static_cast<double>(bytes) / static_cast<double>(mib); }

}  // namespace

void conclude(Verdict& verdict, const std::vector<std::string>& failures, std::string pass_reason,
              const Observation& seen) {
  verdict.pass = failures.empty();
  verdict.why =
      verdict.pass ? std::move(pass_reason) : fmt::format("{}{}", fmt::join(failures, "; "), limit_note(seen));
  if (!seen.host.note.empty()) verdict.why += fmt::format(" ({})", seen.host.note);
}

reports::Verdict make_verdict(std::string check, std::optional<reports::VerdictValue> configured,
                              std::optional<reports::VerdictValue> measured, std::string unit,
                              std::optional<double> tolerance) {
  reports::Verdict verdict;
  verdict.check = std::move(check);
  verdict.configured = std::move(configured);
  verdict.measured = std::move(measured);
  verdict.unit = std::move(unit);
  verdict.tolerance = tolerance;
  return verdict;
}

reports::Failure step_failure(const sys::Error& error) {
  const reports::FailureKind kind =
      dynamic_cast<const sys::Timeout*>(&error) ? reports::FailureKind::timeout : reports::FailureKind::error;
  return reports::Failure{kind, error.what()};
}

void take_result(const reports::WorkloadResult& result, WorkloadView& workload, reports::Sample& sample) {
  workload.result_seen = true;
  workload.exit_code = result.exit_code;
  workload.signal = result.signal;
  for (const auto& metric : result.metrics) {
    workload.metrics[metric.name] = metric.value;
    sample.metrics[metric.name] = metric.value;
  }
  sample.workload_result = result;
}

std::optional<double> named_figure(const std::map<std::string, double>& figures, const std::string& name) {
  const auto found = figures.find(name);
  return found == figures.end() ? std::nullopt : std::optional(found->second);
}

std::optional<double> workload_metric(const Observation& seen, const std::string& name) {
  return named_figure(seen.workload.metrics, name);
}

std::string how_it_ended(const WorkloadView& workload) {
  if (workload.oom_killed) return "the instance was OOM-killed";
  if (!workload.result_seen) return "no RESULT from benchinit";
  if (workload.signal) return fmt::format("the workload was killed by signal {}", *workload.signal);
  return fmt::format("the workload exited {}", workload.exit_code.value_or(-1));
}

std::string cpu_mask_list(std::uint64_t mask) {
  std::string list;
  for (int cpu = 0; cpu < 64; ++cpu) {
    if ((mask >> cpu & 1) == 0) continue;
    int last = cpu;
    while (last + 1 < 64 && (mask >> (last + 1) & 1)) ++last;
    if (!list.empty()) list += ',';
    list += last == cpu ? fmt::format("{}", cpu) : fmt::format("{}-{}", cpu, last);
    cpu = last;
  }
  return list.empty() ? "none" : list;
}

bool values_close(double a, double b, double tolerance) { return std::fabs(a - b) <= (a + b) * tolerance / 2.0; }

std::optional<std::uint64_t> cpu_list_mask(std::string_view list) {
  while (!list.empty() && (list.back() == '\n' || list.back() == ' ')) list.remove_suffix(1);
  if (list.empty()) return std::nullopt;
  std::uint64_t mask = 0;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view range = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    const std::size_t dash = range.find('-');
    unsigned first = 0;
    unsigned last = 0;
    const std::string_view first_text = range.substr(0, dash);
    auto parsed = std::from_chars(first_text.data(), first_text.data() + first_text.size(), first);
    if (parsed.ec != std::errc{} || parsed.ptr != first_text.data() + first_text.size()) return std::nullopt;
    last = first;
    if (dash != std::string_view::npos) {
      const std::string_view last_text = range.substr(dash + 1);
      parsed = std::from_chars(last_text.data(), last_text.data() + last_text.size(), last);
      if (parsed.ec != std::errc{} || parsed.ptr != last_text.data() + last_text.size()) return std::nullopt;
    }
    if (last < first || last > 63) return std::nullopt;
    for (unsigned cpu = first; cpu <= last; ++cpu) mask |= 1ULL << cpu;
  }
  return mask;
}

Verdict judge_hog_oom_kill(std::string name, const LimitCheck& check, const Observation& seen,
                           std::string_view limit_text) {
  const HostView& host = seen.host;
  Verdict oom = make_verdict(
      std::move(name), 1.0,
      host.oom_kills ? std::optional<reports::VerdictValue>(static_cast<double>(*host.oom_kills)) : std::nullopt,
      "OOM kills", std::nullopt);
  std::vector<std::string> oom_failures;
  if (!host.oom_kills)
    oom_failures.emplace_back("the host cannot read the OOM-kill counter of the instance's cgroup");
  else if (*host.oom_kills != 1)
    oom_failures.push_back(fmt::format("the cgroup counted {} OOM kills, not 1", *host.oom_kills));
  // The workload's own count: oomprobe's parent saw its hog child end, by SIGKILL when the OOM killer took it.
  const std::optional<double> hog_signal = workload_metric(seen, "hog_signal");
  const std::string hog_end =
      hog_signal
          ? (*hog_signal != 0 ? fmt::format("killed by signal {:.0f}", *hog_signal)
                              : fmt::format("exited {:.0f}", workload_metric(seen, "hog_exit_code").value_or(-1)))
          : fmt::format("not reported: {}", how_it_ended(seen.workload));
  if (hog_signal != 9)
    oom_failures.push_back(fmt::format("the hog of {} MiB was not OOM-killed: {}", check.workload_args.at(0), hog_end));
  conclude(oom, oom_failures,
           fmt::format("the hog of {} MiB was {} under {}, counted once by the cgroup", check.workload_args.at(0),
                       hog_end, limit_text),
           seen);
  return oom;
}

std::vector<Verdict> judge_memory(const LimitCheck& check, const Observation& seen) {
  const std::uint64_t limit = check.limits.memory_bytes.value_or(0);
  const HostView& host = seen.host;

  Verdict oom = judge_hog_oom_kill("memory.oom_kill", check, seen, fmt::format("{} MiB", to_mib(limit)));

  Verdict peak = make_verdict(
      "memory.peak_within_limit", to_mib(limit),
      host.memory_peak_bytes ? std::optional<reports::VerdictValue>(to_mib(*host.memory_peak_bytes)) : std::nullopt,
      "MiB", std::nullopt);
  std::vector<std::string> peak_failures;
  if (host.memory_limit_bytes != limit) {
    peak_failures.push_back(host.memory_limit_bytes
                                ? fmt::format("the cgroup's limit reads {:.1f} MiB", to_mib(*host.memory_limit_bytes))
                                : std::string("the cgroup has no memory limit to read"));
  }
  if (!host.memory_peak_bytes)
    peak_failures.emplace_back("the host cannot read the cgroup's memory high-water mark");
  else if (*host.memory_peak_bytes > limit)
    peak_failures.push_back(fmt::format("usage peaked at {:.1f} MiB, over the limit", to_mib(*host.memory_peak_bytes)));
  conclude(peak, peak_failures,
           fmt::format("usage peaked at {:.1f} MiB under a {:.0f} MiB limit (exact: the page counter refuses a charge "
                       "over it)",
                       to_mib(host.memory_peak_bytes.value_or(0)), to_mib(limit)),
           seen);
  return {oom, peak};
}

std::vector<Verdict> judge_cpu_quota(const LimitCheck& check, const Observation& seen) {
  const HostView& host = seen.host;
  const double cpus = check.limits.cpus.value_or(0.0);
  const auto quota_us = static_cast<std::uint64_t>(std::llround(cpus * static_cast<double>(cfs_period_us)));
  const std::optional<double> wall_ms = workload_metric(seen, "burner_wall_ms");
  const std::optional<double> own_cpu_ms = workload_metric(seen, "burner_cpu_ms");

  Verdict verdict = make_verdict("cpu.quota", cpus, std::nullopt, "CPUs", cpu_tolerance);
  std::vector<std::string> failures;
  if (!wall_ms || !own_cpu_ms || *wall_ms <= 0) {
    failures.push_back(fmt::format("the burner reported no CPU and wall time: {}", how_it_ended(seen.workload)));
    conclude(verdict, failures, "", seen);
    return {verdict};
  }
  // test_cpucg_max's expectation: whole periods at the quota, and the last partial one up to the quota.
  const auto allowed_ms = [&](double window_ms) {
    const double window_us = window_ms * 1000.0;
    const double periods = std::floor(window_us / static_cast<double>(cfs_period_us));
    const double remainder_us = window_us - periods * static_cast<double>(cfs_period_us);
    return (periods * static_cast<double>(quota_us) + std::min(remainder_us, double(quota_us))) / 1000.0;
  };
  const double expected_ms = allowed_ms(*wall_ms);
  // The cgroup's usage covers its whole life, the runtime's setup before the workload included: judged over
  // the instance's launch to exit where the runner measured it (in a TCG guest the setup takes seconds).
  const double host_window_ms = std::max(*wall_ms, seen.instance_wall_ms.value_or(*wall_ms));
  const double host_expected_ms = allowed_ms(host_window_ms);

  if (host.cpu_quota_us != quota_us || host.cpu_period_us != cfs_period_us) {
    failures.push_back(host.cpu_quota_us ? fmt::format("the cgroup's quota reads {} us per {} us", *host.cpu_quota_us,
                                                       host.cpu_period_us.value_or(0))
                                         : std::string("the cgroup has no CPU quota"));
  }
  std::optional<double> host_ms;
  if (!host.cpu_usage_ns) {
    failures.emplace_back("the host cannot read the cgroup's CPU usage");
  } else {
    host_ms = static_cast<double>(*host.cpu_usage_ns) / 1e6;
    verdict.measured = *host_ms / host_window_ms;
    if (*host_ms > host_expected_ms && !values_close(*host_ms, host_expected_ms, cpu_tolerance)) {
      failures.push_back(
          fmt::format("the cgroup used {:.0f} ms of CPU in {:.0f} ms, {:+.1f} % over the {:.0f} ms the "
                      "quota allows",
                      *host_ms, host_window_ms, (*host_ms / host_expected_ms - 1) * 100, host_expected_ms));
    }
  }
  if (*own_cpu_ms > expected_ms && !values_close(*own_cpu_ms, expected_ms, cpu_tolerance)) {
    failures.push_back(
        fmt::format("the burner counted {:.0f} ms of its own CPU time, {:+.1f} % over the {:.0f} ms "
                    "allowed",
                    *own_cpu_ms, (*own_cpu_ms / expected_ms - 1) * 100, expected_ms));
  }
  if (host_ms && !values_close(*host_ms, *own_cpu_ms, cpu_tolerance) && *host_ms < *own_cpu_ms) {
    failures.push_back(
        fmt::format("the burner counted {:.0f} ms but the cgroup only {:.0f} ms", *own_cpu_ms, *host_ms));
  }
  if (!host.nr_throttled || *host.nr_throttled == 0) {
    failures.push_back(fmt::format("cpu.stat shows no throttled period ({} of {} periods)",
                                   host.nr_throttled.value_or(0), host.nr_periods.value_or(0)));
  }
  conclude(verdict, failures,
           fmt::format("cgroup {:.0f} ms of CPU in the instance's {:.0f} ms against {:.0f} ms allowed, burner {:.0f} "
                       "ms in its {:.0f} ms against {:.0f} ms (error {:+.1f} % host, {:+.1f} % workload; over at most "
                       "10 %, test_cpucg_max); throttled in {} of {} periods",
                       host_ms.value_or(0), host_window_ms, host_expected_ms, *own_cpu_ms, *wall_ms, expected_ms,
                       (host_ms.value_or(0) / host_expected_ms - 1) * 100, (*own_cpu_ms / expected_ms - 1) * 100,
                       host.nr_throttled.value_or(0), host.nr_periods.value_or(0)),
           seen);
  return {verdict};
}

std::vector<Verdict> judge_pids(const LimitCheck& check, const Observation& seen) {
  const HostView& host = seen.host;
  const std::uint64_t limit = check.limits.pids_max.value_or(0);
  const std::optional<double> started = workload_metric(seen, "forks_started");
  const std::optional<double> fork_errno = workload_metric(seen, "fork_errno");

  Verdict verdict = make_verdict("pids.max", static_cast<double>(limit), std::nullopt, "tasks", std::nullopt);
  std::vector<std::string> failures;
  if (!started || !fork_errno) {
    failures.push_back(fmt::format("the forker reported no count: {}", how_it_ended(seen.workload)));
    conclude(verdict, failures, "", seen);
    return {verdict};
  }
  const double tasks = *started + static_cast<double>(tasks_before_forks);
  verdict.measured = tasks;
  if (host.pids_max != limit) {
    failures.push_back(host.pids_max ? fmt::format("the cgroup's pids.max reads {}", *host.pids_max)
                                     : std::string("the cgroup's pids.max is unlimited"));
  }
  if (tasks != static_cast<double>(limit)) {
    failures.push_back(fmt::format("{:.0f} forks succeeded: {:.0f} tasks with benchinit and the forker, not {}",
                                   *started, tasks, limit));
  }
  if (*fork_errno != EAGAIN) {
    failures.push_back(*fork_errno == 0 ? std::string("no fork failed")
                                        : fmt::format("the failing fork got errno {:.0f}, not EAGAIN", *fork_errno));
  }
  if (!host.pids_max_events || *host.pids_max_events == 0)
    failures.emplace_back("pids.events counts no fork refused at the limit");
  conclude(verdict, failures,
           fmt::format("{:.0f} forks succeeded ({:.0f} tasks with benchinit and the forker), the next got EAGAIN; "
                       "pids.events counted {} refusals",
                       *started, tasks, host.pids_max_events.value_or(0)),
           seen);
  return {verdict};
}

std::vector<Verdict> judge_cpuset(const LimitCheck& check, const Observation& seen) {
  const HostView& host = seen.host;
  const std::string configured = check.limits.cpuset_cpus.value_or("");
  const std::uint64_t configured_mask = cpu_list_mask(configured).value_or(0);
  const std::optional<double> affinity = workload_metric(seen, "affinity_mask");
  const std::optional<double> seen_cpus = workload_metric(seen, "cpus_seen_mask");

  Verdict verdict = make_verdict("cpuset.cpus", configured, std::nullopt, "", std::nullopt);
  std::vector<std::string> failures;
  if (!affinity || !seen_cpus) {
    failures.push_back(fmt::format("the probe reported no affinity: {}", how_it_ended(seen.workload)));
    conclude(verdict, failures, "", seen);
    return {verdict};
  }
  const auto affinity_mask = static_cast<std::uint64_t>(*affinity);
  const auto seen_mask = static_cast<std::uint64_t>(*seen_cpus);
  verdict.measured = cpu_mask_list(affinity_mask);
  const std::optional<std::uint64_t> effective =
      host.cpuset_effective ? cpu_list_mask(*host.cpuset_effective) : std::nullopt;
  if (effective != configured_mask) {
    failures.push_back(fmt::format("the cgroup's effective cpuset reads {}", host.cpuset_effective
                                                                                 ? cpu_mask_list(effective.value_or(0))
                                                                                 : std::string("nothing")));
  }
  if (affinity_mask != configured_mask)
    failures.push_back(fmt::format("the workload may run on CPUs {}", cpu_mask_list(affinity_mask)));
  if ((seen_mask & ~configured_mask) != 0)
    failures.push_back(fmt::format("the workload ran on CPUs {}", cpu_mask_list(seen_mask)));
  std::string per_cpu = "no per-CPU usage on this cgroup version";
  if (!host.usage_per_cpu_ns.empty()) {
    std::uint64_t inside = 0;
    std::uint64_t outside = 0;
    for (std::size_t cpu = 0; cpu < host.usage_per_cpu_ns.size(); ++cpu) {
      (cpu < 64 && (configured_mask >> cpu & 1) ? inside : outside) += host.usage_per_cpu_ns[cpu];
    }
    const double total = static_cast<double>(inside + outside);
    const double share = total > 0 ? static_cast<double>(outside) / total : 0.0;
    per_cpu = fmt::format("cpuacct: {:.2f} % of {:.0f} ms on other CPUs (at most {:.0f} %)", share * 100, total / 1e6,
                          cpuset_outside_share * 100);
    if (share > cpuset_outside_share) failures.push_back(per_cpu);
  }
  conclude(verdict, failures,
           fmt::format("affinity {}, seen running only on {}; {}", cpu_mask_list(affinity_mask),
                       cpu_mask_list(seen_mask), per_cpu),
           seen);
  return {verdict};
}

std::vector<LimitCheck> limit_checks(unsigned online_cpus) {
  std::vector<LimitCheck> checks;
  LimitCheck memory{"memory",   "a hog past the memory limit is OOM-killed once, usage never above the limit",
                    "oomprobe", {memory_hog_mib, memory_hold_ms},
                    {},         &judge_memory};
  memory.limits.memory_bytes = memory_check_limit_bytes;
  checks.push_back(std::move(memory));
  LimitCheck cpu{"cpu-quota",     "a burner's CPU time stays within 10 % of its quota", "burner", {burn_ms}, {},
                 &judge_cpu_quota};
  cpu.limits.cpus = quota_cpus;
  checks.push_back(std::move(cpu));
  LimitCheck pids{"pids",     "forks stop exactly at pids.max with EAGAIN", "forker", {forks_wanted, forks_hold_ms}, {},
                  &judge_pids};
  pids.limits.pids_max = pids_limit;
  checks.push_back(std::move(pids));
  LimitCheck cpuset{"cpuset",     "the workload may run, and runs, only on its cpuset", "affinity", {affinity_ms}, {},
                    &judge_cpuset};
  // The last CPU: with two or more, the others are where an unconfined probe shows up.
  cpuset.limits.cpuset_cpus = fmt::format("{}", online_cpus > 0 ? online_cpus - 1 : 0);
  checks.push_back(std::move(cpuset));
  checks.push_back(cpu_weight_check(fmt::format("{}", online_cpus > 0 ? online_cpus - 1 : 0)));
  checks.push_back(cpu_quota_stress_ng_check());
  checks.push_back(memory_stress_ng_check());
  checks.push_back(freezer_check());
  checks.push_back(devices_limit_check());
  append_io_limit_checks(checks);  // io-read-bps, io-read-iops, page-cache, memory-swap (limits_io.hpp)
  return checks;
}

std::vector<std::string> limit_check_names() {
  std::vector<std::string> names;
  for (const LimitCheck& check : limit_checks(1)) names.emplace_back(check.name);
  return names;
}

const LimitCheck* find_limit_check(std::span<const LimitCheck> checks, std::string_view name) {
  const auto found = std::find_if(checks.begin(), checks.end(), [&](const LimitCheck& c) { return c.name == name; });
  return found == checks.end() ? nullptr : &*found;
}

}  // namespace benchrun::harness
