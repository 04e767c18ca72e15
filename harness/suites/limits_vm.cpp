#include "harness/suites/limits_vm.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>

#include "harness/backends/vm_container.hpp"
#include "harness/suites/limits_vm_devices.hpp"
#include "harness/suites/limits_vm_freezer.hpp"
#include "harness/suites/limits_vm_io.hpp"
#include "harness/suites/limits_vm_page_cache.hpp"
#include "harness/suites/limits_vm_weight.hpp"
#include "harness/suites/scheduled_console.hpp"
#include "harness/workload_protocol.hpp"
#include "vm/tunables.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

using reports::Verdict;
namespace key = vm::view_key;

constexpr double cpu_tolerance = 0.10;  // test_cpucg_max's, as for containers (limits_checks.hpp)
constexpr std::uint64_t mib = 1ULL << 20;
constexpr const char* memory_hold_ms = "500";

std::optional<double> host(const VmObservation& seen, const char* name) { return vm_host_figure(seen, name); }
std::optional<double> metric(const VmObservation& seen, const std::string& name) {
  return vm_workload_metric(seen, name);
}

std::string mask_text(const std::optional<double>& mask) {
  return mask ? cpu_mask_list(static_cast<std::uint64_t>(*mask)) : std::string("nothing");
}

Verdict verdict_named(std::string check, std::optional<reports::VerdictValue> configured, std::string unit,
                      std::optional<double> tolerance) {
  return make_verdict(std::move(check), std::move(configured), std::nullopt, std::move(unit), tolerance);
}

void conclude(Verdict& verdict, const std::vector<std::string>& failures, std::string pass_reason,
              const VmObservation& seen) {
  verdict.pass = failures.empty();
  verdict.why = verdict.pass ? std::move(pass_reason)
                             : fmt::format("{}{}", fmt::join(failures, "; "),
                                           seen.limit_applied ? "" : " (ran without its limit: --limits-off)");
}

double ms(double ns) { return ns / 1e6; }

}  // namespace

std::vector<Verdict> judge_vm_cpu_quota(const LimitCheck& check, const VmObservation& seen) {
  const double cpus = check.limits.cpus.value_or(0);
  const std::uint64_t period_us = vm::default_cfs_period_us;
  const std::uint64_t quota_us = vm::vcpu_quota_for(cpus, seen.vcpus, period_us).value_or(0);
  const double share = static_cast<double>(quota_us) / static_cast<double>(period_us);
  Verdict verdict = verdict_named("cpu.quota", cpus, "cpus", cpu_tolerance);
  std::vector<std::string> failures;

  // The host's side.
  const auto libvirt_quota = host(seen, key::sched_vcpu_quota_us);
  const auto cgroup_quota = host(seen, key::cgroup_quota_us);
  const auto periods = host(seen, key::nr_periods);
  const auto throttled = host(seen, key::nr_throttled);
  const auto vcpu_ns = host(seen, key::vcpu_cpu_ns);
  const auto alive_ns = host(seen, key::vcpu_alive_ns);
  if (libvirt_quota != static_cast<double>(quota_us)) {
    failures.push_back(libvirt_quota ? fmt::format("libvirt reads back a vCPU quota of {:.0f} us", *libvirt_quota)
                                     : std::string("libvirt reads back no vCPU quota"));
  }
  if (cgroup_quota != static_cast<double>(quota_us)) {
    failures.push_back(cgroup_quota ? fmt::format("the vCPU cgroup's quota reads {:.0f} us", *cgroup_quota)
                       : periods    ? std::string("the vCPU cgroup has no quota")
                                    : std::string("no cgroup of the vCPU thread was found"));
  }
  if (!throttled || *throttled == 0) {
    failures.push_back(fmt::format("the vCPU cgroup's cpu.stat shows no throttled period ({:.0f} of {:.0f})",
                                   throttled.value_or(0), periods.value_or(0)));
  }
  const double allowed_ms = ms(periods.value_or(0) * static_cast<double>(quota_us) * 1000);
  const double vcpu_ms = ms(vcpu_ns.value_or(0));
  if (!vcpu_ns) {
    failures.emplace_back("no vCPU thread of QEMU was seen in /proc");
  } else if (vcpu_ms > allowed_ms * (1 + cpu_tolerance)) {
    failures.push_back(fmt::format("the vCPU thread ran {:.0f} ms, over the {:.0f} ms its {:.0f} periods allow",
                                   vcpu_ms, allowed_ms, periods.value_or(0)));
  }

  // The workload's side: what it ran is its wall time less the stalls it counted, and no second of it may hold
  // more than the quota's share (its average only says less: contention on the host lowers it too).
  const auto wall_ms = metric(seen, "burner_wall_ms");
  const auto stalled_ms = metric(seen, "burner_stalled_ms");
  const auto peak_ms = metric(seen, "burner_peak_ran_ms_per_s");
  const auto guest_cpu_ms = metric(seen, "burner_cpu_ms");
  std::optional<double> ran_share;
  if (!wall_ms || !stalled_ms || !peak_ms || *wall_ms <= 0) {
    failures.push_back(
        fmt::format("the burner reported no wall, stall and peak times: {}", how_it_ended(seen.workload)));
  } else {
    ran_share = (*wall_ms - *stalled_ms) / *wall_ms;
    const double window_ms = std::min(*wall_ms, 1000.0);
    verdict.measured = *peak_ms / window_ms * static_cast<double>(seen.vcpus);
    if (*peak_ms > window_ms * share * (1 + cpu_tolerance)) {
      failures.push_back(
          fmt::format("the burner ran {:.0f} ms in its busiest {:.0f} ms ({:.1f} %, over {:.1f} % + 10 "
                      "%; {:.1f} % of its whole {:.0f} ms)",
                      *peak_ms, window_ms, *peak_ms / window_ms * 100, share * 100, *ran_share * 100, *wall_ms));
    }
  }
  conclude(verdict, failures,
           fmt::format("vCPU quota {} us per {} us (libvirt and the vCPU cgroup); the vCPU thread ran {:.0f} ms of "
                       "the {:.0f} ms its {:.0f} periods allow ({:.1f} % of its {:.0f} ms), throttled in {:.0f}; the "
                       "burner ran {:.0f} of {:.0f} ms ({:.1f} %), at most {:.0f} ms in any second (the guest kernel "
                       "charged it {:.0f} ms: it cannot see the throttling)",
                       quota_us, period_us, vcpu_ms, allowed_ms, periods.value_or(0),
                       alive_ns && *alive_ns > 0 ? vcpu_ns.value_or(0) / *alive_ns * 100 : 0.0,
                       ms(alive_ns.value_or(0)), throttled.value_or(0), wall_ms.value_or(0) - stalled_ms.value_or(0),
                       wall_ms.value_or(0), ran_share.value_or(0) * 100, peak_ms.value_or(0), guest_cpu_ms.value_or(0)),
           seen);
  return {verdict};
}

std::vector<Verdict> judge_vm_cpuset(const LimitCheck& check, const VmObservation& seen) {
  const std::string configured = check.limits.cpuset_cpus.value_or("");
  const std::uint64_t configured_mask = cpu_list_mask(configured).value_or(0);
  const double expected = static_cast<double>(configured_mask);
  Verdict verdict = verdict_named("cpuset.cpus", configured, "", std::nullopt);
  std::vector<std::string> failures;

  const auto vcpupin = host(seen, key::vcpu_pin_mask);
  const auto emulatorpin = host(seen, key::emulator_pin_mask);
  const auto allowed = host(seen, key::allowed_mask);
  const auto uniform = host(seen, key::allowed_uniform);
  const auto ran_on = host(seen, key::ran_on_mask);
  const auto cgroup = host(seen, key::cgroup_cpuset_mask);
  if (vcpupin != expected) failures.push_back(fmt::format("libvirt pins the vCPUs to {}", mask_text(vcpupin)));
  if (emulatorpin != expected)
    failures.push_back(fmt::format("libvirt pins QEMU's other threads to {}", mask_text(emulatorpin)));
  if (allowed != expected || uniform != 1.0) {
    failures.push_back(fmt::format("QEMU's threads may run on CPUs {}{}", mask_text(allowed),
                                   uniform == 1.0 ? "" : " (not all the same)"));
  }
  if (!ran_on || *ran_on == 0) {
    failures.emplace_back("QEMU's threads were never seen running");
  } else if ((static_cast<std::uint64_t>(*ran_on) & ~configured_mask) != 0) {
    failures.push_back(fmt::format("QEMU's threads ran on CPUs {}", mask_text(ran_on)));
  }
  if (cgroup && *cgroup != expected)
    failures.push_back(fmt::format("the vCPU cgroup's effective cpuset reads {}", mask_text(cgroup)));

  // The workload's side, in the guest's numbering: as many vCPUs as the cpuset has host CPUs, and only them.
  const auto affinity = metric(seen, "affinity_mask");
  const auto seen_cpus = metric(seen, "cpus_seen_mask");
  const std::uint64_t guest_cpus = (1ULL << std::popcount(configured_mask)) - 1;
  if (!affinity || !seen_cpus) {
    failures.push_back(fmt::format("the probe reported no affinity: {}", how_it_ended(seen.workload)));
  } else {
    verdict.measured = fmt::format("host {}, guest {}", mask_text(ran_on), mask_text(seen_cpus));
    if (static_cast<std::uint64_t>(*affinity) != guest_cpus)
      failures.push_back(
          fmt::format("the probe may run on guest CPUs {}, not {}", mask_text(affinity), cpu_mask_list(guest_cpus)));
    if ((static_cast<std::uint64_t>(*seen_cpus) & ~guest_cpus) != 0)
      failures.push_back(fmt::format("the probe ran on guest CPUs {}", mask_text(seen_cpus)));
  }
  conclude(verdict, failures,
           fmt::format("libvirt pins the vCPUs and QEMU to {}; every QEMU thread may run only there and was seen "
                       "running on {} ({:.0f} polls){}; the probe ran on guest CPUs {} of its {} vCPU(s)",
                       configured, mask_text(ran_on), host(seen, key::polls).value_or(0),
                       cgroup ? fmt::format(", the vCPU cgroup's cpuset reads {}", mask_text(cgroup)) : "",
                       mask_text(seen_cpus), seen.vcpus),
           seen);
  return {verdict};
}

void observe_vm_guest(Backend& backend, const InstanceSpec& spec, sys::MonotonicNs deadline, VmObservation& seen,
                      reports::Sample& sample, std::string_view keep_prefix) {
  sample.started_at_monotonic_ns = sys::monotonic_now();
  std::unique_ptr<Instance> instance = backend.launch(spec, deadline);
  const TeardownGuard guard{*instance};
  ScheduledConsole console(*instance, seen.workload, sample, deadline, [&](const sys::ConsoleLine& line) {
    if (!keep_prefix.empty() && line.text.starts_with(keep_prefix)) seen.workload.output.push_back(line.text);
  });
  console.to_end();
  instance->wait_exit(deadline);
  seen.host = instance->host_limits_view();
  instance->destroy();
}

Verdict vm_guest_failed(const LimitCheck& check, const sys::Error& error) {
  Verdict verdict = verdict_named(fmt::format("{}.host_view", check.name), std::nullopt, "", std::nullopt);
  verdict.why = fmt::format("the check's guest failed: {}", error.what());
  return verdict;
}

std::optional<double> vm_host_figure(const VmObservation& seen, const char* name) {
  return named_figure(seen.host, name);
}

std::optional<double> vm_workload_metric(const VmObservation& seen, const std::string& name) {
  return named_figure(seen.workload.metrics, name);
}

VmGuestMemory vm_guest_memory(std::uint64_t initramfs_bytes) {
  VmGuestMemory guest;
  guest.ram_mib = std::max(vm_memory_limit_mib, guest_memory_floor_mib(initramfs_bytes));
  guest.initramfs_mib = (initramfs_bytes + mib - 1) / mib;
  return guest;
}

std::uint64_t image_initramfs_bytes(const Backend& backend) {
  const auto details = backend.details();
  std::uint64_t bytes = 0;
  if (const auto found = details.find("initramfs_bytes"); found != details.end())
    std::from_chars(found->second.data(), found->second.data() + found->second.size(), bytes);
  return bytes;
}

std::vector<Verdict> judge_vm_memory(const LimitCheck& /*check*/, const VmGuestMemory& guest,
                                     const VmObservation& seen) {
  const double limit = static_cast<double>(guest.ram_mib * mib);
  const double ceiling = static_cast<double>(guest.qemu_ceiling_mib() * mib);
  Verdict kill = verdict_named("memory.oom_kill", 1.0, "kills", std::nullopt);
  Verdict peak = verdict_named("memory.peak_within_limit", static_cast<double>(guest.ram_mib), "MiB", std::nullopt);
  const auto ram = host(seen, key::guest_memory_bytes);
  const auto hwm = host(seen, key::qemu_hwm_bytes);
  const auto hog_signal = metric(seen, "hog_signal");

  std::vector<std::string> kill_failures;
  if (!hog_signal) {
    kill_failures.push_back(fmt::format("the probe reported no end of its hog: {}", how_it_ended(seen.workload)));
  } else {
    kill.measured = *hog_signal == 9 ? 1.0 : 0.0;
    if (*hog_signal != 9)
      kill_failures.push_back(fmt::format("the hog of {} MiB was not OOM-killed in the guest (signal {:.0f})",
                                          guest.hog_mib(), *hog_signal));
  }
  if (ram != limit)
    kill_failures.push_back(fmt::format("libvirt reads the guest's RAM as {:.0f} MiB", ram.value_or(0) / mib));
  conclude(kill, kill_failures,
           fmt::format("the guest kernel OOM-killed the {} MiB hog in {} MiB of RAM (libvirt reads it back)",
                       guest.hog_mib(), guest.ram_mib),
           seen);

  std::vector<std::string> peak_failures;
  if (ram != limit)
    peak_failures.push_back(fmt::format("libvirt reads the guest's RAM as {:.0f} MiB", ram.value_or(0) / mib));
  if (!hwm) {
    peak_failures.emplace_back("QEMU's peak RSS was not read");
  } else {
    peak.measured = *hwm / mib;
    if (*hwm > ceiling)
      peak_failures.push_back(fmt::format(
          "QEMU's peak RSS {:.0f} MiB is over the guest's {} MiB + {} MiB for QEMU ({} MiB: its copy of the "
          "initramfs and {} MiB for itself)",
          *hwm / mib, guest.ram_mib, guest.qemu_ceiling_mib() - guest.ram_mib, guest.initramfs_mib,
          vm_qemu_overhead_mib));
  }
  conclude(peak, peak_failures,
           fmt::format("QEMU's peak RSS {:.0f} MiB, within the guest's {} MiB + {} MiB for QEMU ({} MiB: its copy of "
                       "the initramfs and {} MiB for itself)",
                       hwm.value_or(0) / mib, guest.ram_mib, guest.qemu_ceiling_mib() - guest.ram_mib,
                       guest.initramfs_mib, vm_qemu_overhead_mib),
           seen);
  return {kill, peak};
}

std::string vm_pids_not_applicable() {
  return "not applicable to a guest, not judged: libvirt has no host-side task limit for a domain, the forker's tasks "
         "are the guest kernel's and the host sees only QEMU's threads (vm+container limits tasks inside the guest)";
}

StepResult measure_vm_limit_check(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off,
                                  const std::filesystem::path& scratch_root) {
  StepResult result;
  if (check.name == "pids") {
    // A warning of the run, as memory-swap's without swap: it does not fail the run.
    result.notes.push_back(fmt::format("{}: {}: {}", backend.name(), check.name, vm_pids_not_applicable()));
    return result;
  }
  if (check.name == "io-read-bps" || check.name == "io-read-iops")
    return measure_vm_io_check(backend, input, check, limit_off, scratch_root);
  if (check.name == "freezer") return measure_vm_freezer(backend, input, check, limit_off);
  if (check.name == "cpu-weight") return measure_vm_cpu_weight(backend, input, check, limit_off);
  if (check.name == "page-cache") return measure_vm_page_cache(backend, input, check, limit_off, scratch_root);
  if (check.name != "cpu-quota" && check.name != "cpuset" && check.name != "memory" && check.name != "devices") {
    // Failing and saying so, without booting a guest for nothing: never a silent skip.
    Verdict verdict = verdict_named(fmt::format("{}.host_view", check.name), std::nullopt, "", std::nullopt);
    verdict.why = fmt::format(
        "{}: not judged on a guest yet (vm judges cpu-quota, cpuset, memory, devices, io-read-bps, io-read-iops, "
        "freezer, cpu-weight and page-cache; vm+container judges every check inside its guest)",
        check.name);
    result.verdicts.push_back(std::move(verdict));
    return result;
  }
  InstanceSpec spec = instance_spec(input.test_case, input.next_instance_name());
  const VmGuestMemory guest_memory = vm_guest_memory(image_initramfs_bytes(backend));
  if (check.name == "memory") {
    // The guest's limit is its RAM: the hog asks for twice it; without the limit the guest gets RAM for the hog.
    spec.limits = {};
    spec.limits.memory_bytes = (limit_off ? guest_memory.ram_for_hog_mib() : guest_memory.ram_mib) * mib;
    spec.workload_args = {fmt::format("{}", guest_memory.hog_mib()), memory_hold_ms};
  } else if (limit_off) {
    spec.limits = {};
  }
  // devices: the host reads and probes QEMU's devices cgroup while the guest runs (limits_vm_devices.hpp);
  // --limits-off opened the driver without the devices controller (harness/commands/suite.cpp).
  if (check.name == "devices") spec.probe_host_devices = true;
  if (limit_off) {
    result.notes.push_back(
        fmt::format("{}: {} ran without its limit (--limits-off): its verdicts must fail", backend.name(), check.name));
  }
  VmObservation seen;
  seen.limit_applied = !limit_off;
  seen.vcpus = spec.limits.cpus ? static_cast<unsigned>(std::ceil(*spec.limits.cpus)) : 1;
  seen.guest_memory_bytes = spec.limits.memory_bytes.value_or(0);

  reports::Sample sample;
  sample.backend = backend.name();
  const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(input.timeout).count();
  try {
    observe_vm_guest(backend, spec, deadline, seen, sample);
    if (check.name == "cpu-quota") result.verdicts = judge_vm_cpu_quota(check, seen);
    if (check.name == "cpuset") result.verdicts = judge_vm_cpuset(check, seen);
    if (check.name == "memory") result.verdicts = judge_vm_memory(check, guest_memory, seen);
    if (check.name == "devices") result.verdicts = judge_vm_devices(check, seen);
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
