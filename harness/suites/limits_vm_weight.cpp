#include "harness/suites/limits_vm_weight.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>

#include "harness/suites/limits_weight.hpp"
#include "harness/workload_protocol.hpp"
#include "runtime/cgroup/mode.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

using reports::Verdict;
namespace key = vm::view_key;

constexpr const char* cgroup_root = "/sys/fs/cgroup";
constexpr sys::MonotonicNs console_slice_ns = 10'000'000;  // each console is read this long in turn
constexpr sys::MonotonicNs sample_every_ns = 10'000'000;
constexpr double ns_per_ms = 1e6;

long long realtime_ms() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<long long>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

std::optional<double> view_value(const VmWeightGuest& guest, const char* name) {
  return named_figure(guest.host, name);
}

std::optional<double> metric(const VmWeightGuest& guest, const char* name) {
  return named_figure(guest.workload.metrics, name);
}

std::string mask_text(const std::optional<double>& mask) {
  return mask ? cpu_mask_list(static_cast<std::uint64_t>(*mask)) : std::string("nothing");
}

std::string value_text(const std::optional<std::uint64_t>& value) {
  return value ? fmt::format("{}", *value) : std::string("nothing");
}

// The burner's last line before its metrics: the burn ended as it arrived.
bool is_burn_end_line(const std::string& text) {
  return text.find("burner: ") != std::string::npos && text.find(" ms of CPU in ") != std::string::npos;
}

// Where the CPU time so far at `at` lies, linear between the samples around it.
std::optional<double> cpu_ns_at(const CpuSeries& series, sys::MonotonicNs at) {
  const auto after = std::lower_bound(series.begin(), series.end(), at,
                                      [](const auto& sample, sys::MonotonicNs when) { return sample.first < when; });
  if (after == series.end()) return std::nullopt;
  if (after->first == at) return static_cast<double>(after->second);
  if (after == series.begin()) return std::nullopt;
  const auto before = std::prev(after);
  const double fraction = static_cast<double>(at - before->first) / static_cast<double>(after->first - before->first);
  return static_cast<double>(before->second) +
         fraction * (static_cast<double>(after->second) - static_cast<double>(before->second));
}

// One of the two guests while the check runs.
struct Guest {
  InstanceSpec spec;
  std::unique_ptr<Instance> instance;
  reports::Sample sample;
  VmWeightGuest seen;
  CpuSeries series;
  std::optional<std::filesystem::path> cgroup_dir;
  std::optional<sys::MonotonicNs> burn_end_at;
  sys::MonotonicNs last_sample = 0;
  bool closed = false;
};

// Tears both guests down whatever happens (destroy() is idempotent).
struct TeardownBoth {
  std::vector<Guest>& guests;
  explicit TeardownBoth(std::vector<Guest>& torn_down) : guests(torn_down) {}
  TeardownBoth(const TeardownBoth&) = delete;
  TeardownBoth& operator=(const TeardownBoth&) = delete;
  ~TeardownBoth() {
    for (Guest& guest : guests) {
      try {
        if (guest.instance) guest.instance->destroy();
      } catch (...) {  // the sweep of the next run removes what a failed teardown left
      }
    }
  }
};

// One console line of the guest, if one comes within the slice.
void read_console(Guest& guest, sys::MonotonicNs deadline) {
  try {
    const std::optional<sys::ConsoleLine> line =
        guest.instance->next_line(std::min(sys::monotonic_now() + console_slice_ns, deadline));
    if (!line) {
      guest.closed = true;
      return;
    }
    if (!guest.burn_end_at && is_burn_end_line(line->text)) guest.burn_end_at = line->at;
    if (is_result_line(line->text)) take_result(parse_result_line(line->text), guest.seen.workload, guest.sample);
  } catch (const sys::Timeout&) {
    if (sys::monotonic_now() >= deadline) throw;
  }
}

// The guest's vCPU threads' CPU time now, and its domain cgroup as long as it is there.
void sample_cpu(Guest& guest, bool cgroup_v1) {
  const sys::MonotonicNs now = sys::monotonic_now();
  if (now - guest.last_sample < sample_every_ns) return;
  guest.last_sample = now;
  if (!guest.cgroup_dir) guest.cgroup_dir = vm::find_domain_cpu_cgroup(cgroup_root, cgroup_v1, guest.spec.name);
  if (!guest.cgroup_dir) return;
  vm::DomainCpuCgroup cgroup = vm::read_domain_cpu_cgroup(*guest.cgroup_dir, cgroup_v1);
  if (cgroup.vcpu_threads.empty()) return;  // not yet, or gone with the guest
  if (const auto ran = vm::threads_cpu_ns(cgroup.vcpu_threads)) guest.series.emplace_back(now, *ran);
  guest.seen.cgroup = std::move(cgroup);
}

// The burns' window on the host's clock and each guest's vCPU time in it and outside it.
void place_burns(std::vector<Guest>& guests, sys::MonotonicNs origin, VmWeightObservation& seen) {
  std::vector<std::pair<sys::MonotonicNs, sys::MonotonicNs>> burns;
  for (Guest& guest : guests) {
    const std::optional<double> wall_ms = metric(guest.seen, "burner_wall_ms");
    if (!guest.burn_end_at || !wall_ms) return;
    const sys::MonotonicNs to = *guest.burn_end_at;
    const sys::MonotonicNs from = to - static_cast<sys::MonotonicNs>(*wall_ms * ns_per_ms);
    guest.seen.burn_from_ms = static_cast<double>(from - origin) / ns_per_ms;
    guest.seen.burn_to_ms = static_cast<double>(to - origin) / ns_per_ms;
    burns.emplace_back(from, to);
  }
  const sys::MonotonicNs both_from = std::max(burns[0].first, burns[1].first);
  const sys::MonotonicNs both_to = std::min(burns[0].second, burns[1].second);
  if (both_to <= both_from) {
    seen.overlap_ms = 0;
    return;
  }
  seen.overlap_ms = static_cast<double>(both_to - both_from) / ns_per_ms;
  const auto edge = static_cast<sys::MonotonicNs>(vm_weight_edge_ms * ns_per_ms);
  const sys::MonotonicNs window_from = both_from + edge;
  const sys::MonotonicNs window_to = both_to - edge;
  if (window_to <= window_from) return;
  seen.window_ms = static_cast<double>(window_to - window_from) / ns_per_ms;
  for (std::size_t index = 0; index < guests.size(); ++index) {
    Guest& guest = guests[index];
    if (const auto ns = cpu_ns_between(guest.series, window_from, window_to))
      guest.seen.window_cpu_ms = *ns / ns_per_ms;
    const auto before = cpu_ns_between(guest.series, burns[index].first, both_from);
    const auto after = cpu_ns_between(guest.series, both_to, burns[index].second);
    if (before && after) guest.seen.alone_cpu_ms = (*before + *after) / ns_per_ms;
  }
}

}  // namespace

std::optional<double> cpu_ns_between(const CpuSeries& series, sys::MonotonicNs from, sys::MonotonicNs to) {
  if (to < from) return std::nullopt;
  if (to == from) return 0.0;
  const auto start = cpu_ns_at(series, from);
  const auto end = cpu_ns_at(series, to);
  if (!start || !end) return std::nullopt;
  return std::max(0.0, *end - *start);
}

std::vector<Verdict> judge_vm_cpu_weight(const LimitCheck& /*check*/, const VmWeightObservation& seen) {
  constexpr double expected =
      static_cast<double>(heavy_cpu_weight) / static_cast<double>(light_cpu_weight + heavy_cpu_weight);
  const char* file = seen.cgroup_v1 ? "cpu.shares" : "cpu.weight";
  const std::uint64_t cpu_mask = cpu_list_mask(seen.cpuset).value_or(0);
  Verdict verdict = make_verdict("cpu.weight", expected, std::nullopt, "share of the CPU", cpu_weight_tolerance);
  std::vector<std::string> failures;
  const auto error_of = [&](double share) { return (share / expected - 1) * 100; };
  const auto share_of = [](double light, double heavy) { return light + heavy > 0 ? heavy / (light + heavy) : 0.0; };

  // The host's side: the shares where libvirt put them, the pinning, then the vCPUs' CPU time in the window.
  for (const auto& [guest, which] : {std::pair{&seen.light, "lighter"}, std::pair{&seen.heavy, "heavier"}}) {
    const auto libvirt = view_value(*guest, key::sched_cpu_shares);
    if (libvirt != static_cast<double>(guest->shares)) {
      failures.push_back(libvirt ? fmt::format("libvirt reads back the {} guest's cpu_shares as {:.0f}, not {}", which,
                                               *libvirt, guest->shares)
                                 : fmt::format("libvirt reads back no cpu_shares of the {} guest", which));
    }
    if (!guest->cgroup) {
      failures.push_back(
          fmt::format("no cgroup of the {} guest was found under machine/ (libvirt's cgroup controllers)", which));
    } else if (guest->cgroup->weight != guest->shares) {
      failures.push_back(fmt::format("the {} guest's domain cgroup {} reads {}, not {} (its vcpu0's: {})", which, file,
                                     value_text(guest->cgroup->weight), guest->shares,
                                     value_text(guest->cgroup->vcpu_weight)));
    }
    const auto vcpupin = view_value(*guest, key::vcpu_pin_mask);
    const auto emulatorpin = view_value(*guest, key::emulator_pin_mask);
    const auto ran_on = view_value(*guest, key::ran_on_mask);
    if (vcpupin != static_cast<double>(cpu_mask) || emulatorpin != static_cast<double>(cpu_mask)) {
      failures.push_back(fmt::format("libvirt pins the {} guest's vCPU to {} and QEMU to {}, not CPU {}", which,
                                     mask_text(vcpupin), mask_text(emulatorpin), seen.cpuset));
    }
    if (ran_on && (static_cast<std::uint64_t>(*ran_on) & ~cpu_mask) != 0) {
      failures.push_back(fmt::format("the {} guest's QEMU ran on CPUs {}", which, mask_text(ran_on)));
    }
  }
  if (seen.light.cgroup && seen.heavy.cgroup &&
      seen.light.cgroup->dir.parent_path() != seen.heavy.cgroup->dir.parent_path()) {
    failures.push_back(
        fmt::format("the guests' cgroups are not siblings ({} and {}): their shares divide nothing "
                    "between them",
                    seen.light.cgroup->dir.string(), seen.heavy.cgroup->dir.string()));
  }

  std::string figures;
  const bool burns_placed = seen.overlap_ms.has_value();
  if (!burns_placed) {
    failures.push_back(
        fmt::format("the burns were not placed on the host's clock (an end line and a wall time "
                    "from both): {} (lighter), {} (heavier)",
                    how_it_ended(seen.light.workload), how_it_ended(seen.heavy.workload)));
  } else if (!seen.window_ms || *seen.window_ms < vm_weight_min_overlap_ms) {
    failures.push_back(
        fmt::format("the burns overlapped {:.0f} ms (at least {:.0f} ms + {:.0f} ms at each end): "
                    "a boot outlasted the {} ms lead",
                    *seen.overlap_ms, vm_weight_min_overlap_ms, vm_weight_edge_ms, vm_weight_lead_ms));
  } else if (!seen.light.window_cpu_ms || !seen.heavy.window_cpu_ms) {
    failures.emplace_back("the host did not sample both guests' vCPU threads over the window");
  } else {
    const double share = share_of(*seen.light.window_cpu_ms, *seen.heavy.window_cpu_ms);
    verdict.measured = share;
    figures = fmt::format(
        "the vCPU threads ran {:.0f} ms (heavier) and {:.0f} ms (lighter) in the {:.0f} ms both burned: the "
        "heavier's share {:.3f} against {:.3f}, error {:+.1f} %",
        *seen.heavy.window_cpu_ms, *seen.light.window_cpu_ms, *seen.window_ms, share, expected, error_of(share));
    if (!values_close(share, expected, cpu_weight_tolerance)) failures.push_back(figures);
  }

  // The workload's side: each burner's own count of what it ran, less what it ran alone outside the window.
  std::optional<double> ran[2];
  bool reported = true;
  for (std::size_t index = 0; index < 2; ++index) {
    const VmWeightGuest& guest = index == 0 ? seen.light : seen.heavy;
    const auto wall = metric(guest, "burner_wall_ms");
    const auto stalled = metric(guest, "burner_stalled_ms");
    if (!wall || !stalled) {
      reported = false;
      continue;
    }
    if (guest.alone_cpu_ms) ran[index] = *wall - *stalled - *guest.alone_cpu_ms;
  }
  if (!reported) {
    failures.push_back(fmt::format("the burners reported no wall and stall times: {} (lighter), {} (heavier)",
                                   how_it_ended(seen.light.workload), how_it_ended(seen.heavy.workload)));
  } else if (burns_placed && seen.window_ms && (!ran[0] || !ran[1])) {
    failures.emplace_back("the host did not sample the guests' vCPU threads where one burned alone");
  } else if (ran[0] && ran[1]) {
    const double share = share_of(*ran[0], *ran[1]);
    const std::string own = fmt::format(
        "burners ran {:.0f} and {:.0f} ms by their own counts (wall less stalls, less {:.0f} and {:.0f} ms alone): "
        "{:.3f}, error {:+.1f} %",
        *ran[1], *ran[0], seen.heavy.alone_cpu_ms.value_or(0), seen.light.alone_cpu_ms.value_or(0), share,
        error_of(share));
    if (!values_close(share, expected, cpu_weight_tolerance)) failures.push_back(own);
    figures += (figures.empty() ? "" : "; ") + own;
  }

  verdict.pass = failures.empty();
  if (verdict.pass) {
    verdict.why = fmt::format(
        "both guests on CPU {}, libvirt shares {} and {} on sibling domain cgroups ({}): {}; within {:.0f} % (the "
        "container check's tolerance)",
        seen.cpuset, seen.light.shares, seen.heavy.shares, file, figures, cpu_weight_tolerance * 100);
  } else {
    verdict.why = fmt::format("{}{}", fmt::join(failures, "; "),
                              seen.limit_applied ? "" : " (ran without its limit: --limits-off)");
  }
  return {verdict};
}

StepResult measure_vm_cpu_weight(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off) {
  StepResult result;
  const bool cgroup_v1 = runtime::uses_v1_controllers(runtime::detect_cgroup_mode(cgroup_root));
  const std::string cpuset = check.limits.cpuset_cpus.value_or("0");
  // The per-instance timeout, on top of the check's own lead and burn.
  const sys::MonotonicNs origin = sys::monotonic_now();
  const sys::MonotonicNs deadline =
      origin + std::chrono::nanoseconds(input.timeout).count() +
      static_cast<sys::MonotonicNs>((vm_weight_lead_ms + vm_weight_burn_ms) * 1'000'000ULL);
  const long long start_at_ms = realtime_ms() + static_cast<long long>(vm_weight_lead_ms);
  if (limit_off) {
    result.notes.push_back(
        fmt::format("{}: {} ran without its limit (--limits-off): its verdicts must fail", backend.name(), check.name));
  }

  std::vector<Guest> guests(2);
  for (std::size_t index = 0; index < guests.size(); ++index) {
    Guest& guest = guests[index];
    guest.seen.shares = index == 0 ? light_cpu_weight : heavy_cpu_weight;
    guest.spec = instance_spec(input.test_case, input.next_instance_name());
    guest.spec.limits = {};
    guest.spec.limits.cpuset_cpus = cpuset;
    if (!limit_off) guest.spec.limits.cpu_weight = guest.seen.shares;
    guest.spec.workload_args = {fmt::format("{}", vm_weight_burn_ms), fmt::format("{}", start_at_ms)};
    guest.sample.backend = backend.name();
  }
  const TeardownBoth guard{guests};
  std::string failed;
  try {
    for (Guest& guest : guests) {
      guest.sample.started_at_monotonic_ns = sys::monotonic_now();
      guest.instance = backend.launch(guest.spec, deadline);
    }
    while (!guests[0].closed || !guests[1].closed) {
      for (Guest& guest : guests) {
        if (!guest.closed) read_console(guest, deadline);
        sample_cpu(guest, cgroup_v1);
      }
    }
    for (Guest& guest : guests) {
      guest.instance->wait_exit(deadline);
      // The guest's phases (boot, ready, result) and its burn, in ms from its launch: how much of the lead the
      // boots took.
      for (const auto& [phase, at] : guest.instance->phases())
        guest.sample.phases[phase] = static_cast<double>(at - guest.sample.started_at_monotonic_ns) / ns_per_ms;
      guest.seen.host = guest.instance->host_limits_view();
      guest.instance->destroy();
      guest.sample.ok = true;
    }
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Error& error) {
    failed = error.what();
    const reports::Failure failure = step_failure(error);
    for (Guest& guest : guests) {
      if (!guest.sample.ok) guest.sample.failure = failure;
    }
  }
  for (Guest& guest : guests) {
    if (guest.instance) guest.instance->destroy();
  }

  if (failed.empty()) {
    VmWeightObservation seen;
    seen.cgroup_v1 = cgroup_v1;
    seen.limit_applied = !limit_off;
    seen.cpuset = cpuset;
    place_burns(guests, origin, seen);
    for (Guest& guest : guests) {
      const double launched_ms = static_cast<double>(guest.sample.started_at_monotonic_ns - origin) / ns_per_ms;
      if (guest.seen.burn_from_ms) guest.sample.phases["burn_started"] = *guest.seen.burn_from_ms - launched_ms;
      if (guest.seen.burn_to_ms) guest.sample.phases["burn_ended"] = *guest.seen.burn_to_ms - launched_ms;
    }
    seen.light = std::move(guests[0].seen);
    seen.heavy = std::move(guests[1].seen);
    result.verdicts = judge_vm_cpu_weight(check, seen);
  } else {
    Verdict verdict = make_verdict("cpu.weight", std::nullopt, std::nullopt, "", std::nullopt);
    verdict.pass = false;
    verdict.why = fmt::format("the check's guests failed: {}", failed);
    result.verdicts.push_back(std::move(verdict));
  }
  for (Guest& guest : guests) result.samples.push_back(std::move(guest.sample));
  return result;
}

}  // namespace benchrun::harness
