#include "harness/backends/vm_accelerator.hpp"

#include <fmt/format.h>

#include "harness/workload_protocol.hpp"
#include "vm/boot_files.hpp"
#include "vm/guest.hpp"
#include "vm/kvm_probe_cache.hpp"

namespace benchrun::harness {
namespace {

// A stock kernel under working KVM reaches init in well under a second; under a KVM that cannot run it,
// it hangs (kvm_pvm: after "Probing EDD") or QEMU aborts at once. Generous for a loaded machine.
constexpr sys::MonotonicNs probe_timeout_ns = 20'000'000'000;

// Boots the image under KVM until benchinit's READY: the kernel ran and reached init. nullopt when it
// did, else why not (QEMU's error, the guest ending first, or the timeout with the last console line).
std::optional<std::string> probe_boot(vm::Connection& connection, const AcceleratorContext& context, StopSignal& stop) {
  std::string last_line;
  try {
    const vm::BootFiles boot = vm::stage_boot_files(vm::image_boot_files(context.image_dir), context.run_state_dir);
    vm::GuestConfig config;
    config.name = context.probe_guest_name;
    config.kernel = boot.kernel;
    config.initramfs = boot.initramfs;
    config.accelerator = vm::Accelerator::kvm;
    config.workload_argv = {"/bench/bin/hello"};
    config.state_dir = context.run_state_dir;
    vm::Guest guest = vm::Guest::start(connection, config);
    const sys::MonotonicNs deadline = sys::monotonic_now() + probe_timeout_ns;
    while (auto line = guest.next_line(deadline, stop.fd())) {
      if (is_ready_line(line->text)) return std::nullopt;
      if (!line->text.empty()) last_line = line->text;
    }
    return fmt::format("the guest ended before BENCHRUN READY (last console line: '{}')", last_line);
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Timeout&) {
    return fmt::format("no BENCHRUN READY within {} s (last console line: '{}')", probe_timeout_ns / 1'000'000'000,
                       last_line);
  } catch (const std::exception& error) {
    return error.what();
  }
}

}  // namespace

vm::AcceleratorChoice choose_guest_accelerator(vm::Connection& connection, const AcceleratorContext& context,
                                               StopSignal& stop) {
  vm::KvmAssessment assessment = vm::assess_kvm();
  if (assessment.verdict != vm::KvmAssessment::Verdict::cannot_work && connection.domain_type() != "kvm") {
    assessment = {vm::KvmAssessment::Verdict::cannot_work,
                  fmt::format("libvirt at {} offers no kvm domain type", connection.uri())};
  }
  const vm::KvmProbeKey key{vm::host_kernel(), connection.hypervisor_version(), connection.libvirt_version()};
  const vm::KvmProbe probe =
      vm::cached_kvm_probe(context.cache_file, key, [&] { return probe_boot(connection, context, stop); });
  return vm::choose_accelerator(context.request, assessment, probe);
}

}  // namespace benchrun::harness
