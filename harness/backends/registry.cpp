#include "harness/backends/registry.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "harness/backends/container.hpp"
#include "harness/backends/native.hpp"
#include "harness/backends/oci.hpp"
#include "harness/backends/vm.hpp"

namespace benchrun::harness {
namespace {

std::vector<DoctorCheck> no_host_checks(const BackendSetup& /*setup*/) { return {}; }

const BackendEntry backends[] = {
    {"native", reports::BackendKind::native, "benchinit and the workload as plain host processes: the baseline",
     &make_native_backend, &no_host_checks},
    {"container", reports::BackendKind::container,
     "benchrun's own runtime: namespaces, a cgroup with the limits, pivot_root into the image", &make_container_backend,
     &container_host_checks},
    {"oci:crun", reports::BackendKind::oci,
     "crun running the same container from an OCI bundle (on a hybrid host in a private mount namespace)",
     &make_crun_backend, &crun_host_checks},
    {"oci:runc", reports::BackendKind::oci, "runc running the same container from an OCI bundle", &make_runc_backend,
     &runc_host_checks},
    {"vm", reports::BackendKind::vm, "a libvirt/QEMU guest booting the image's kernel (the plugin, loaded on demand)",
     &make_vm_backend, &vm_host_checks},
    {"vm+container", reports::BackendKind::vm,
     "a container of benchrun's own runtime inside a guest of image 'guest' (Kata's layout; the vm plugin)",
     &make_vm_container_backend, &vm_container_host_checks},
};

}  // namespace

std::span<const BackendEntry> backend_registry() { return backends; }

std::vector<std::string> default_backends() {
  std::vector<std::string> names;
  for (const BackendEntry& entry : backends) {
    if (entry.name != "vm+container") names.emplace_back(entry.name);
  }
  return names;
}

const BackendEntry* find_backend(std::string_view name) {
  const auto found =
      std::find_if(std::begin(backends), std::end(backends), [&](const auto& entry) { return entry.name == name; });
  return found == std::end(backends) ? nullptr : &*found;
}

std::vector<std::unique_ptr<Backend>> make_backends(const std::vector<std::string>& names, const BackendSetup& setup) {
  std::vector<std::unique_ptr<Backend>> made;
  for (const auto& name : names) {
    const BackendEntry* entry = find_backend(name);
    if (entry == nullptr) throw sys::Error(fmt::format("unknown backend '{}'", name));
    made.push_back(entry->make(setup));
  }
  return made;
}

}  // namespace benchrun::harness
