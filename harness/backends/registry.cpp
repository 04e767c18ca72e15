#include "harness/backends/registry.hpp"

#include <fmt/format.h>

#include "harness/backends/container.hpp"
#include "harness/backends/native.hpp"
#include "harness/backends/vm.hpp"

namespace benchrun::harness {

std::vector<std::unique_ptr<Backend>> make_backends(const SuiteOptions& options, const std::string& run_id,
                                                    StopSignal& stop) {
  std::vector<std::unique_ptr<Backend>> backends;
  for (const auto& name : options.backends) {
    if (name == "native") {
      backends.push_back(std::make_unique<NativeBackend>(options.image, stop));
    } else if (name == "container") {
      backends.push_back(std::make_unique<ContainerBackend>(options.image, stop));
    } else if (name == "vm") {
      VmBackendOptions vm_options;
      vm_options.libvirt_uri = options.libvirt_uri;
      vm_options.image = options.image;
      vm_options.run_id = run_id;
      vm_options.accel = options.accel;
      try {
        backends.push_back(make_vm_backend(vm_options, stop));
      } catch (const vm::AcceleratorUnavailable&) {
        throw;  // already the one line the user needs
      } catch (const sys::Interrupted&) {
        throw;
      } catch (const sys::Error& error) {
        throw sys::Error(fmt::format("vm backend: {}: check --libvirt-uri, or see benchrun doctor", error.what()));
      }
    } else {
      throw sys::Error(fmt::format("unknown backend '{}'", name));
    }
  }
  return backends;
}

}  // namespace benchrun::harness
