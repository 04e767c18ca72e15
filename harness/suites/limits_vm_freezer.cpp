#include "harness/suites/limits_vm_freezer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>

#include "harness/suites/limits_freezer.hpp"
#include "harness/suites/limits_vm.hpp"
#include "harness/suites/scheduled_console.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

using reports::Verdict;
namespace key = vm::view_key;

constexpr sys::MonotonicNs run_before_freeze_ns = 1'000'000'000;
constexpr auto window_ns = static_cast<sys::MonotonicNs>(freezer_window_ms * 1e6);
// How long libvirt may take to pause or resume the guest before the check fails (QEMU's `stop` waits for every
// vCPU to leave the code it translated; a busy host).
constexpr sys::MonotonicNs suspend_timeout_ns = 30'000'000'000;
constexpr std::string_view tick_prefix = "ticker: tick ";

double ms(double ns) { return ns / 1e6; }
double ms_between(sys::MonotonicNs from, sys::MonotonicNs to) { return static_cast<double>(to - from) / 1e6; }

std::optional<double> figure(const std::map<std::string, double>& view, const char* name) {
  return named_figure(view, name);
}

std::optional<double> metric(const VmFreezerObservation& seen, const std::string& name) {
  return named_figure(seen.workload.metrics, name);
}

std::string state_text(const std::optional<double>& state) {
  if (!state) return "unreadable";
  if (*state == vm::domain_state_paused) return "paused";
  if (*state == vm::domain_state_running) return "running";
  return fmt::format("in state {:.0f}", *state);
}

void conclude(Verdict& verdict, const std::vector<std::string>& failures, std::string pass_reason,
              const VmFreezerObservation& seen) {
  verdict.pass = failures.empty();
  verdict.why = verdict.pass ? std::move(pass_reason)
                             : fmt::format("{}{}", fmt::join(failures, "; "),
                                           seen.limit_applied ? "" : " (ran without the freeze: --limits-off)");
}

// The CPU QEMU's threads other than the vCPUs used in the window, by thread name, busiest first.
std::string other_threads_by_name(const VmFreezerObservation& seen) {
  std::vector<std::pair<double, std::string>> busy;
  const std::string prefix = key::thread_cpu_now_prefix;
  for (const auto& [name, end_ns] : seen.at_end) {
    if (!name.starts_with(prefix)) continue;
    const std::string thread = name.substr(prefix.size());
    if (thread.starts_with("CPU ")) continue;
    const double used = end_ns - figure(seen.at_start, name.c_str()).value_or(0);
    if (used > 0) busy.emplace_back(used, thread);
  }
  std::sort(busy.rbegin(), busy.rend());
  std::vector<std::string> parts;
  for (const auto& [used, thread] : busy) parts.push_back(fmt::format("{} {:.1f} ms", thread, ms(used)));
  return parts.empty() ? std::string() : fmt::format(" ({})", fmt::join(parts, ", "));
}

// What a view's figure grew by from the window's start to its end; nullopt unless read at both.
std::optional<double> grew_ms(const VmFreezerObservation& seen, const char* name) {
  const auto start = figure(seen.at_start, name);
  const auto end = figure(seen.at_end, name);
  if (!start || !end) return std::nullopt;
  return ms(std::max(0.0, *end - *start));
}

void observe(Backend& backend, const InstanceSpec& spec, bool limit_off, sys::MonotonicNs deadline,
             VmFreezerObservation& seen, reports::Sample& sample) {
  const auto freezer_deadline = [&] { return std::min(sys::monotonic_now() + suspend_timeout_ns, deadline); };
  sample.started_at_monotonic_ns = sys::monotonic_now();
  std::unique_ptr<Instance> instance = backend.launch(spec, deadline);
  // Every way out (an error, the timeout, Ctrl-C) destroys the guest, paused or not: virDomainDestroy kills QEMU
  // whatever the domain's state.
  const TeardownGuard guard{*instance};
  // The guest's console: ticks stamped on arrival, RESULT taken as the other checks take it.
  ScheduledConsole console(*instance, seen.workload, sample, deadline, [&seen](const sys::ConsoleLine& line) {
    if (const auto tick = parse_tick_line(line.text)) seen.ticks.push_back({*tick, line.at});
  });
  console.until_ready();
  console.until(sys::monotonic_now() + run_before_freeze_ns);

  const sys::MonotonicNs suspend_called = sys::monotonic_now();
  if (!limit_off) {
    instance->freeze(freezer_deadline());
    seen.suspend_ms = ms_between(suspend_called, sys::monotonic_now());
  }
  seen.window_start = sys::monotonic_now();
  seen.at_start = instance->host_view_now();
  console.until(seen.window_start + window_ns);
  seen.at_end = instance->host_view_now();
  seen.window_end = sys::monotonic_now();
  if (!limit_off) {
    instance->thaw(freezer_deadline());
    seen.resume_ms = ms_between(seen.window_end, sys::monotonic_now());
  }
  seen.thawed_at = sys::monotonic_now();
  seen.after_thaw = instance->host_view_now();

  console.to_end();
  instance->wait_exit(deadline);
  seen.powered_off = true;
  instance->destroy();
}

}  // namespace

std::optional<std::uint64_t> parse_tick_line(std::string_view line) {
  if (!line.starts_with(tick_prefix)) return std::nullopt;
  line.remove_prefix(tick_prefix.size());
  std::uint64_t number = 0;
  const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), number);
  if (error != std::errc{} || end != line.data() + line.size()) return std::nullopt;
  return number;
}

std::vector<Verdict> judge_vm_freezer(const LimitCheck& /*check*/, const VmFreezerObservation& seen) {
  const double window_ms =
      seen.window_end > seen.window_start ? ms_between(seen.window_start, seen.window_end) : freezer_window_ms;
  const auto state_start = figure(seen.at_start, key::domain_state);
  const auto state_end = figure(seen.at_end, key::domain_state);
  const auto state_after = figure(seen.after_thaw, key::domain_state);
  const bool paused_through = state_start == vm::domain_state_paused && state_end == vm::domain_state_paused;

  // The host: paused through the window, the vCPU threads off the CPU.
  const double vcpus = std::max(1U, seen.vcpus);
  const double cpu_allowed_ms = window_ms * vm_freezer_vcpu_cpu_share * vcpus;
  const double other_allowed_ms = window_ms * vm_freezer_vcpu_cpu_share;
  Verdict no_progress =
      make_verdict("freezer.no_progress", 0.0, std::nullopt, "ms of vCPU CPU", vm_freezer_vcpu_cpu_share);
  std::vector<std::string> host_failures;
  if (!paused_through) {
    host_failures.push_back(
        fmt::format("libvirt read the domain {} at the start of the {:.0f} ms window and {} at "
                    "its end",
                    state_text(state_start), window_ms, state_text(state_end)));
  }
  const auto vcpu_used_ms = grew_ms(seen, key::vcpu_cpu_now_ns);
  const auto other_used_ms = grew_ms(seen, key::other_threads_cpu_now_ns);
  if (!vcpu_used_ms) {
    host_failures.emplace_back("no vCPU thread of QEMU was read in /proc at both ends of the window");
  } else {
    no_progress.measured = *vcpu_used_ms;
    if (*vcpu_used_ms > cpu_allowed_ms) {
      host_failures.push_back(
          fmt::format("QEMU's vCPU threads used {:.1f} ms of CPU in the {:.0f} ms window (at "
                      "most {:.1f})",
                      *vcpu_used_ms, window_ms, cpu_allowed_ms));
    }
  }
  if (!other_used_ms) {
    host_failures.emplace_back("QEMU's other threads were not read in /proc at both ends of the window");
  } else if (*other_used_ms > other_allowed_ms) {
    host_failures.push_back(fmt::format("QEMU's other threads used {:.1f} ms of CPU in the window (at most {:.1f}){}",
                                        *other_used_ms, other_allowed_ms, other_threads_by_name(seen)));
  }
  conclude(no_progress, host_failures,
           fmt::format("libvirt read the domain paused at both ends of the {:.0f} ms window (virDomainSuspend took "
                       "{:.1f} ms); QEMU's vCPU threads used {:.3f} ms of CPU in it (at most {:.1f}: 1 % of one CPU "
                       "per vCPU, the container check's threshold), its other threads (main loop, RCU, I/O) {:.3f} ms "
                       "(at most {:.1f}: 1 % of one CPU){}",
                       window_ms, seen.suspend_ms.value_or(0), vcpu_used_ms.value_or(0), cpu_allowed_ms,
                       other_used_ms.value_or(0), other_allowed_ms, other_threads_by_name(seen)),
           seen);

  // The workload, stamped by the host: no tick in the window once what was in flight arrived.
  const auto judged_from = seen.window_start + static_cast<sys::MonotonicNs>(vm_freezer_in_flight_ms * 1e6);
  std::size_t in_window = 0;
  std::size_t in_flight = 0;
  double last_in_flight_ms = 0;
  std::size_t before = 0;
  std::size_t after_thaw = 0;
  double largest_gap_ms = 0;
  for (std::size_t i = 0; i < seen.ticks.size(); ++i) {
    const sys::MonotonicNs at = seen.ticks[i].at;
    if (at < seen.window_start) ++before;
    if (at >= seen.window_start && at <= judged_from) {
      ++in_flight;
      last_in_flight_ms = ms_between(seen.window_start, at);
    }
    if (at > judged_from && at <= seen.window_end) ++in_window;
    if (at > seen.thawed_at) ++after_thaw;
    if (i > 0) largest_gap_ms = std::max(largest_gap_ms, ms_between(seen.ticks[i - 1].at, at));
  }
  Verdict gap = make_verdict("freezer.gap_seen", window_ms, std::nullopt, "ms", std::nullopt);
  std::vector<std::string> gap_failures;
  if (seen.ticks.empty()) {
    gap_failures.push_back(fmt::format("no tick of the ticker arrived: {}", how_it_ended(seen.workload)));
  } else {
    gap.measured = largest_gap_ms;
    if (in_window > 0) {
      gap_failures.push_back(
          fmt::format("{} ticks arrived in the {:.0f} ms window after its first {:.0f} ms "
                      "(largest gap between two {:.1f} ms)",
                      in_window, window_ms, vm_freezer_in_flight_ms, largest_gap_ms));
    }
    if (before == 0) gap_failures.emplace_back("no tick arrived before the window");
    if (after_thaw == 0) gap_failures.emplace_back("no tick arrived after the thaw");
  }
  const auto guest_gap_ms = metric(seen, "ticker_max_gap_ms");
  conclude(gap, gap_failures,
           fmt::format("no tick arrived in the {:.0f} ms window after its first {:.0f} ms ({} in flight before "
                       "that{}); the largest gap between two ticks' arrivals was {:.1f} ms, "
                       "{} ticks before the window and {} after the thaw (the guest's own clock saw a largest gap of "
                       "{:.1f} ms: it stops while paused)",
                       window_ms, vm_freezer_in_flight_ms, in_flight,
                       in_flight > 0 ? fmt::format(", the last {:.1f} ms into it", last_in_flight_ms) : "",
                       largest_gap_ms, before, after_thaw, guest_gap_ms.value_or(0)),
           seen);

  // Both: paused, then running; every tick arrived once, in order, some after the thaw; a clean end.
  Verdict intact = make_verdict("freezer.resumed_intact", "intact", std::nullopt, "", std::nullopt);
  std::vector<std::string> intact_failures;
  if (state_start != vm::domain_state_paused) {
    intact_failures.emplace_back("libvirt never read the domain paused, so nothing resumed");
  } else if (state_after != vm::domain_state_running) {
    intact_failures.push_back(fmt::format("libvirt read the domain {} after the resume", state_text(state_after)));
  }
  std::uint64_t expected = 1;
  for (const VmTick& tick : seen.ticks) {
    if (tick.number != expected) {
      intact_failures.push_back(
          fmt::format("tick {} arrived where tick {} was due: ticks were lost or repeated", tick.number, expected));
      break;
    }
    ++expected;
  }
  const auto reported_ticks = metric(seen, "ticker_ticks");
  if (!reported_ticks) {
    intact_failures.emplace_back("the ticker reported no tick count");
  } else if (*reported_ticks != static_cast<double>(seen.ticks.size())) {
    intact_failures.push_back(
        fmt::format("the ticker printed {:.0f} ticks, the host received {}", *reported_ticks, seen.ticks.size()));
  }
  if (!seen.ticks.empty() && after_thaw == 0) intact_failures.emplace_back("no tick arrived after the thaw");
  const bool exited_zero =
      seen.workload.result_seen && !seen.workload.signal && seen.workload.exit_code == 0 && !seen.workload.oom_killed;
  if (!exited_zero) intact_failures.push_back(how_it_ended(seen.workload));
  const auto checksum_ok = metric(seen, "ticker_checksum_ok");
  if (checksum_ok != 1.0) {
    intact_failures.emplace_back(checksum_ok ? "the replay of the ticker's chunks gave other words: its memory changed"
                                             : "the ticker reported no checksum");
  }
  if (!seen.powered_off) intact_failures.emplace_back("the guest did not power off by itself");
  intact.measured = intact_failures.empty() ? "intact" : "not intact";
  conclude(intact, intact_failures,
           fmt::format("paused, then running again (virDomainResume took {:.1f} ms); ticks 1 to {} arrived in order, "
                       "none lost, {} after the thaw; the ticker exited 0, a replay on fresh memory gave the same "
                       "words and checksum, and the guest powered off",
                       seen.resume_ms.value_or(0), seen.ticks.size(), after_thaw),
           seen);
  return {no_progress, gap, intact};
}

StepResult measure_vm_freezer(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off) {
  StepResult result;
  InstanceSpec spec = instance_spec(input.test_case, input.next_instance_name());
  spec.freezable = true;
  spec.workload_args = check.workload_args;
  spec.workload_args.push_back(fmt::format("{:.0f}", vm_freezer_tick_ms));
  if (limit_off) {
    result.notes.push_back(
        fmt::format("{}: freezer ran without the freeze (--limits-off): its verdicts must fail", backend.name()));
  }
  VmFreezerObservation seen;
  seen.limit_applied = !limit_off;
  seen.vcpus = spec.limits.cpus ? static_cast<unsigned>(std::ceil(*spec.limits.cpus)) : 1;

  reports::Sample sample;
  sample.backend = backend.name();
  const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(input.timeout).count();
  try {
    observe(backend, spec, limit_off, deadline, seen, sample);
    result.verdicts = judge_vm_freezer(check, seen);
    sample.ok = true;
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Error& error) {
    sample.failure = step_failure(error);
    result.verdicts.push_back(vm_guest_failed(check, error));
  }
  result.samples.push_back(std::move(sample));
  return result;
}

}  // namespace benchrun::harness
