#include "harness/suites/limits_freezer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "harness/backend.hpp"
#include "harness/instance_spec.hpp"
#include "harness/suites/limits_host.hpp"
#include "harness/suites/scheduled_console.hpp"
#include "runtime/cgroup/freezer.hpp"
#include "runtime/cgroup/mode.hpp"
#include "sys/wait.hpp"

namespace benchrun::harness {
namespace {

namespace fs = std::filesystem;
using reports::Verdict;

constexpr const char* cgroup_root = "/sys/fs/cgroup";
// 1 s of work before the freeze, the 2 s window, and 1 s after the thaw (less what the freeze and the thaw
// take: `runc pause` is a process of its own).
constexpr const char* ticker_run_ms = "4000";
constexpr sys::MonotonicNs run_before_freeze_ns = 1'000'000'000;
constexpr auto window_ns = static_cast<sys::MonotonicNs>(freezer_window_ms * 1e6);
// How long a freeze or a thaw may take before the check fails (a frozen task in the middle of a system call
// stops on its way out of it; a runtime's pause is a process start on a busy host).
constexpr sys::MonotonicNs freezer_timeout_ns = 30'000'000'000;

Verdict make_verdict(std::string check, std::optional<reports::VerdictValue> configured, std::string unit,
                     std::optional<double> tolerance) {
  return harness::make_verdict(std::move(check), std::move(configured), std::nullopt, std::move(unit), tolerance);
}

// Every reason in `failures`, or the pass reason; a failure says when the instance ran without the freeze (no
// host note: the freezer check reads none).
void conclude_freeze(Verdict& verdict, const std::vector<std::string>& failures, std::string pass_reason,
                     const Observation& seen) {
  verdict.pass = failures.empty();
  verdict.why = verdict.pass ? std::move(pass_reason)
                             : fmt::format("{}{}", fmt::join(failures, "; "),
                                           seen.limit_applied ? "" : " (ran without the freeze: --limits-off)");
}

std::string frozen_text(const std::optional<bool>& frozen) {
  return frozen ? (*frozen ? "frozen" : "not frozen") : "unreadable";
}

}  // namespace

LimitCheck freezer_check() {
  LimitCheck check{"freezer", "a frozen instance makes no progress and resumes intact",
                   "ticker",  {ticker_run_ms},
                   {},        &judge_freezer};
  check.observe = &observe_freezer;
  return check;
}

Observation observe_freezer(const LimitCheck& /*check*/, Backend& backend, const InstanceSpec& spec,
                            const fs::path& cgroup_relative, bool limit_off, sys::MonotonicNs deadline,
                            reports::Sample& sample) {
  Observation seen;
  InstanceSpec freezable = spec;
  freezable.freezable = true;
  const runtime::CgroupMode mode = runtime::detect_cgroup_mode(cgroup_root);
  const auto usage = [&] { return read_host_view(mode, cgroup_root, cgroup_relative).cpu_usage_ns; };
  const auto frozen = [&] { return runtime::read_cgroup_frozen(mode, cgroup_root, cgroup_relative); };
  const auto freezer_deadline = [&] { return std::min(sys::monotonic_now() + freezer_timeout_ns, deadline); };

  sample.started_at_monotonic_ns = sys::monotonic_now();
  std::unique_ptr<Instance> instance = backend.launch(freezable, deadline);
  const TeardownGuard guard{*instance};
  ScheduledConsole console(*instance, seen.workload, sample, deadline);
  console.until_ready();
  console.until(sys::monotonic_now() + run_before_freeze_ns);

  if (!limit_off) instance->freeze(freezer_deadline());
  const sys::MonotonicNs window_start = sys::monotonic_now();
  seen.host.frozen_at_window_start = frozen();
  const std::optional<std::uint64_t> usage_at_start = usage();
  console.until(window_start + window_ns);
  const std::optional<std::uint64_t> usage_at_end = usage();
  seen.host.frozen_at_window_end = frozen();
  seen.host.frozen_window_ms = static_cast<double>(sys::monotonic_now() - window_start) / 1e6;
  if (usage_at_start && usage_at_end) {
    seen.host.cpu_usage_in_window_ns = *usage_at_end >= *usage_at_start ? *usage_at_end - *usage_at_start : 0;
  }
  if (!limit_off) instance->thaw(freezer_deadline());
  seen.host.frozen_after_thaw = frozen();

  console.to_end();
  seen.workload.oom_killed = instance->wait_exit(deadline).oom_killed;
  instance->destroy();
  return seen;
}

std::vector<Verdict> judge_freezer(const LimitCheck& /*check*/, const Observation& seen) {
  const HostView& host = seen.host;
  const double window_ms = host.frozen_window_ms.value_or(freezer_window_ms);

  // The host: frozen through the window, no CPU used in it.
  const double cpu_allowed_ms = window_ms * freezer_cpu_share;
  Verdict no_progress = make_verdict("freezer.no_progress", 0.0, "ms of CPU", freezer_cpu_share);
  std::vector<std::string> host_failures;
  if (host.frozen_at_window_start != true || host.frozen_at_window_end != true) {
    host_failures.push_back(fmt::format("the cgroup read {} at the start of the {:.0f} ms window and {} at its end",
                                        frozen_text(host.frozen_at_window_start), window_ms,
                                        frozen_text(host.frozen_at_window_end)));
  }
  if (!host.cpu_usage_in_window_ns) {
    host_failures.emplace_back("the host cannot read the cgroup's CPU usage");
  } else {
    const double used_ms = static_cast<double>(*host.cpu_usage_in_window_ns) / 1e6;
    no_progress.measured = used_ms;
    if (used_ms > cpu_allowed_ms) {
      host_failures.push_back(fmt::format("the cgroup used {:.1f} ms of CPU in the {:.0f} ms window (at most {:.1f})",
                                          used_ms, window_ms, cpu_allowed_ms));
    }
  }
  conclude_freeze(
      no_progress, host_failures,
      fmt::format("frozen at both ends of the {:.0f} ms window, {:.3f} ms of CPU used in it (at most {:.1f}: "
                  "1 % of one CPU)",
                  window_ms, static_cast<double>(host.cpu_usage_in_window_ns.value_or(0)) / 1e6, cpu_allowed_ms),
      seen);

  // The workload: its own clock saw the window go by between two chunks.
  const std::optional<double> gap_ms = workload_metric(seen, "ticker_max_gap_ms");
  const double gap_needed_ms = window_ms * (1.0 - freezer_gap_tolerance);
  Verdict gap = make_verdict("freezer.gap_seen", window_ms, "ms", freezer_gap_tolerance);
  std::vector<std::string> gap_failures;
  if (!gap_ms) {
    gap_failures.push_back(fmt::format("the ticker reported no gap: {}", how_it_ended(seen.workload)));
  } else {
    gap.measured = *gap_ms;
    if (*gap_ms < gap_needed_ms) {
      gap_failures.push_back(
          fmt::format("the ticker's largest gap between two chunks was {:.1f} ms, not the {:.0f} ms "
                      "window (at least {:.0f})",
                      *gap_ms, window_ms, gap_needed_ms));
    }
  }
  conclude_freeze(
      gap, gap_failures,
      fmt::format("the ticker's largest gap between two chunks was {:.1f} ms for a {:.0f} ms window (at least "
                  "{:.0f}: 5 % less)",
                  gap_ms.value_or(0), window_ms, gap_needed_ms),
      seen);

  // Both: it was frozen, then thawed, went on and ended with its memory as it should be.
  Verdict intact = make_verdict("freezer.resumed_intact", "intact", "", std::nullopt);
  std::vector<std::string> intact_failures;
  if (host.frozen_at_window_start != true) {
    intact_failures.emplace_back("the host never saw the instance frozen, so nothing resumed");
  } else if (host.frozen_after_thaw != false) {
    intact_failures.push_back(fmt::format("the cgroup read {} after the thaw", frozen_text(host.frozen_after_thaw)));
  }
  const std::optional<double> checksum_ok = workload_metric(seen, "ticker_checksum_ok");
  const std::optional<double> after_gap = workload_metric(seen, "ticker_iterations_after_gap");
  const bool exited_zero =
      seen.workload.result_seen && !seen.workload.signal && seen.workload.exit_code == 0 && !seen.workload.oom_killed;
  if (!exited_zero) intact_failures.push_back(how_it_ended(seen.workload));
  if (checksum_ok != 1.0) {
    intact_failures.emplace_back(checksum_ok ? "the replay of the ticker's chunks gave other words: its memory changed"
                                             : "the ticker reported no checksum");
  }
  if (after_gap.value_or(0) <= 0) intact_failures.emplace_back("the ticker did no chunk after its largest gap");
  intact.measured = intact_failures.empty() ? "intact" : "not intact";
  conclude_freeze(
      intact, intact_failures,
      fmt::format("frozen, then thawed; the ticker did {:.0f} of its {:.0f} chunks after the gap, exited 0, and "
                  "a replay on fresh memory gave the same words and checksum",
                  after_gap.value_or(0), workload_metric(seen, "ticker_iterations").value_or(0)),
      seen);
  return {no_progress, gap, intact};
}

}  // namespace benchrun::harness
