#include <dlfcn.h>
#include <unistd.h>

#include <fmt/format.h>

#include "harness/backends/vm.hpp"
#include "vm/emulator_wrapper.hpp"

namespace benchrun::harness {
namespace {

constexpr const char* plugin_file = "libbenchrun_vm_backend.so";

std::filesystem::path plugin_dir() {
  if (const char* dir = std::getenv("BENCHRUN_PLUGIN_DIR"); dir != nullptr && *dir != '\0') return dir;
  std::error_code ignored;
  return std::filesystem::read_symlink("/proc/self/exe", ignored).parent_path();
}

const VmPluginApi& load() {
  const auto path = plugin_dir() / plugin_file;
  // RTLD_NODELETE: backends and instances from the plugin may outlive any handle we could scope.
  void* library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (library == nullptr) {
    throw sys::Error(
        fmt::format("vm backend: load {}: {}: rebuild benchrun (scripts/build.sh)", path.string(), ::dlerror()));
  }
  using Entry = const VmPluginApi* (*)();
  auto entry = reinterpret_cast<Entry>(::dlsym(library, "benchrun_vm_plugin"));
  if (entry == nullptr) throw sys::Error(fmt::format("vm backend: {} has no benchrun_vm_plugin entry", path.string()));
  const VmPluginApi* api = entry();
  if (api == nullptr || api->abi != vm_plugin_abi) {
    throw sys::Error(
        fmt::format("vm backend: {} was built for another benchrun: rebuild (scripts/build.sh)", path.string()));
  }
  return *api;
}

}  // namespace

const VmPluginApi& load_vm_plugin() {
  // Loaded once per process; dlopen itself returns the same library on later calls.
  return load();
}

namespace {

VmBackendOptions vm_options(const BackendSetup& setup) {
  VmBackendOptions options;
  options.libvirt_uri = setup.libvirt_uri;
  options.image = setup.image;
  options.run_id = setup.run_id;
  options.accel = setup.accel;
  return options;
}

DoctorCheck check_connection(const std::string& libvirt_uri) {
  try {
    return load_vm_plugin().check_connection(libvirt_uri, VmBackendOptions{}.state_dir);
  } catch (const std::exception& error) {
    return {"libvirt", false, error.what(), "scripts/build.sh"};
  }
}

DoctorCheck check_accelerator(const VmBackendOptions& options, StopSignal& stop) {
  try {
    return load_vm_plugin().check_accelerator(options, stop);
  } catch (const std::exception& error) {
    return {"accelerator", false, error.what(), "scripts/build.sh", options.accel == vm::AcceleratorRequest::kvm};
  }
}

}  // namespace

std::unique_ptr<Backend> make_vm_backend(const BackendSetup& setup) {
  VmBackendOptions options = vm_options(setup);
  const auto wrapper = plugin_dir() / vm::emulator_wrapper_name;
  if (::access(wrapper.c_str(), X_OK) == 0) options.emulator_wrapper = wrapper;
  try {
    return load_vm_plugin().make_backend(options, setup.stop);
  } catch (const vm::AcceleratorUnavailable&) {
    throw;  // already the one line the user needs
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Error& error) {
    throw sys::Error(fmt::format("vm backend: {}: check --libvirt-uri, or see benchrun doctor", error.what()));
  }
}

int run_in_vm(const VmRunOptions& options, StopSignal& stop) { return load_vm_plugin().run_command(options, stop); }

std::vector<DoctorCheck> vm_host_checks(const BackendSetup& setup) {
  return {check_tool("qemu-system-x86_64", "qemu-system-x86", true), check_connection(setup.libvirt_uri),
          check_accelerator(vm_options(setup), setup.stop)};
}

}  // namespace benchrun::harness
