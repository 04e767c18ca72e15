#include "harness/suites/limits_vm_page_cache.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <csignal>

#include "harness/suites/limits_vm_io.hpp"
#include "sys/error.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

namespace fs = std::filesystem;
namespace key = vm::view_key;
using reports::Verdict;

constexpr std::uint64_t mib = 1ULL << 20;
constexpr const char* hold_ms = "500";  // the limits_io.cpp page-cache check's: QEMU is watched with the pages held

std::optional<double> host(const VmObservation& seen, const char* name) { return vm_host_figure(seen, name); }
std::optional<double> metric(const VmObservation& seen, const std::string& name) {
  return vm_workload_metric(seen, name);
}

void conclude(Verdict& verdict, const std::vector<std::string>& failures, std::string pass_reason,
              const VmObservation& seen) {
  verdict.pass = failures.empty();
  verdict.why = verdict.pass ? std::move(pass_reason)
                             : fmt::format("{}{}", fmt::join(failures, "; "),
                                           seen.limit_applied ? "" : " (ran without its limit: --limits-off)");
}

std::string output_of(const VmObservation& seen) {
  return seen.workload.output.empty() ? std::string() : fmt::format(" ({})", fmt::join(seen.workload.output, " | "));
}

}  // namespace

VmPageCacheGuest vm_page_cache_guest(std::uint64_t initramfs_bytes) {
  VmPageCacheGuest guest;
  static_cast<VmGuestMemory&>(guest) = vm_guest_memory(initramfs_bytes);
  guest.write_mib = 2 * guest.ram_mib;
  guest.unlimited_ram_mib = guest.ram_mib + guest.write_mib;
  return guest;
}

std::vector<Verdict> judge_vm_page_cache(const LimitCheck& /*check*/, const VmPageCacheGuest& guest,
                                         const VmObservation& seen) {
  const double limit = static_cast<double>(guest.ram_mib * mib);
  const double ceiling = static_cast<double>(guest.qemu_ceiling_mib() * mib);
  const double wanted = static_cast<double>(guest.write_mib * mib);
  const auto ram = host(seen, key::guest_memory_bytes);
  const auto hwm = host(seen, key::qemu_hwm_bytes);
  const auto disk_written = host(seen, key::block_wr_bytes);
  const auto written = metric(seen, "written_bytes");
  const auto write_errno = metric(seen, "write_errno");
  const std::string ram_misread =
      fmt::format("libvirt reads the guest's RAM as {:.0f} MiB, not {} MiB", ram.value_or(0) / mib, guest.ram_mib);

  // The workload's side, and the disk's: every byte written without an OOM kill, and what the guest's RAM could
  // not hold reached the disk.
  Verdict finished = make_verdict("page_cache.writer_finished", static_cast<double>(guest.write_mib), std::nullopt,
                                  "MiB", std::nullopt);
  std::vector<std::string> finished_failures;
  if (ram != limit) finished_failures.push_back(ram_misread);
  if (seen.workload.signal) {
    finished_failures.push_back(fmt::format("the writer was killed by signal {} in the guest{}{}",
                                            *seen.workload.signal,
                                            *seen.workload.signal == SIGKILL ? " (the guest's OOM killer: its page "
                                                                               "cache was not reclaimed)"
                                                                             : "",
                                            output_of(seen)));
  } else if (!written || !write_errno) {
    finished_failures.push_back(
        fmt::format("the writer reported nothing: {}{}", how_it_ended(seen.workload), output_of(seen)));
  } else {
    finished.measured = *written / mib;
    if (*written != wanted || *write_errno != 0 || seen.workload.exit_code != 0) {
      finished_failures.push_back(fmt::format("the writer wrote {:.1f} of {} MiB (errno {:.0f}, exit {}){}",
                                              *written / mib, guest.write_mib, *write_errno,
                                              seen.workload.exit_code.value_or(-1), output_of(seen)));
    }
  }
  const double must_reach_disk = wanted - limit;
  if (!disk_written) {
    finished_failures.emplace_back("QEMU's write counters of vda were not read (the guest had no disk)");
  } else if (*disk_written < must_reach_disk) {
    finished_failures.push_back(
        fmt::format("QEMU wrote {:.1f} MiB to vda, less than the {:.0f} MiB the guest's {} MiB of RAM could not "
                    "hold: the writes did not reach the disk",
                    *disk_written / mib, must_reach_disk / mib, guest.ram_mib));
  }
  conclude(finished, finished_failures,
           fmt::format("cachefill wrote {} MiB through the page cache of a guest with {} MiB of RAM (libvirt reads "
                       "it back) and exited 0, never OOM-killed: the guest kernel reclaimed its cache; QEMU wrote "
                       "{:.1f} MiB to vda (at least the {:.0f} MiB the RAM could not hold)",
                       guest.write_mib, guest.ram_mib, disk_written.value_or(0) / mib, must_reach_disk / mib),
           seen);

  // The host's side: QEMU's peak RSS, the guest's cached pages among it, within the RAM and QEMU's allowance.
  Verdict peak = make_verdict("page_cache.qemu_peak_within_limit", static_cast<double>(guest.ram_mib), std::nullopt,
                              "MiB", std::nullopt);
  std::vector<std::string> peak_failures;
  if (ram != limit) peak_failures.push_back(ram_misread);
  if (!hwm) {
    peak_failures.emplace_back("QEMU's peak RSS was not read");
  } else {
    peak.measured = *hwm / mib;
    if (*hwm > ceiling) {
      peak_failures.push_back(
          fmt::format("QEMU's peak RSS {:.0f} MiB is over the guest's {} MiB + {} MiB for QEMU ({} MiB: its copy "
                      "of the initramfs and {} MiB for itself): the guest's page cache grew past its limit",
                      *hwm / mib, guest.ram_mib, guest.qemu_ceiling_mib() - guest.ram_mib, guest.initramfs_mib,
                      vm_qemu_overhead_mib));
    }
  }
  conclude(peak, peak_failures,
           fmt::format("QEMU's peak RSS {:.0f} MiB while the guest wrote {} MiB through its page cache, within the "
                       "guest's {} MiB + {} MiB for QEMU ({} MiB: its copy of the initramfs and {} MiB for itself)",
                       hwm.value_or(0) / mib, guest.write_mib, guest.ram_mib, guest.qemu_ceiling_mib() - guest.ram_mib,
                       guest.initramfs_mib, vm_qemu_overhead_mib),
           seen);
  return {finished, peak};
}

StepResult measure_vm_page_cache(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off,
                                 const fs::path& scratch_root) {
  StepResult result;
  const VmPageCacheGuest guest = vm_page_cache_guest(image_initramfs_bytes(backend));
  InstanceSpec spec = instance_spec(input.test_case, input.next_instance_name());
  // The guest's limit is its RAM; without the limit it gets RAM for the whole write. The writer's file is the
  // guest's raw disk: its page cache with no filesystem to make.
  spec.limits = {};
  spec.limits.memory_bytes = (limit_off ? guest.unlimited_ram_mib : guest.ram_mib) * mib;
  spec.workload_args = {vm_io_disk_path, fmt::format("{}", guest.write_mib), hold_ms};
  if (limit_off) {
    result.notes.push_back(
        fmt::format("{}: {} ran without its limit (--limits-off): its verdicts must fail", backend.name(), check.name));
  }
  VmObservation seen;
  seen.limit_applied = !limit_off;
  seen.guest_memory_bytes = *spec.limits.memory_bytes;
  reports::Sample sample;
  sample.backend = backend.name();
  const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(input.timeout).count();
  try {
    const GuestScratchDisk disk(scratch_root, spec.name, GuestScratchDisk::Content::sparse, guest.disk_bytes());
    spec.disk_files.push_back(disk.file().string());
    observe_vm_guest(backend, spec, deadline, seen, sample, "cachefill:");
    result.verdicts = judge_vm_page_cache(check, guest, seen);
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
