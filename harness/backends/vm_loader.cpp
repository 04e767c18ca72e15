#include <dlfcn.h>
#include <unistd.h>

#include <fmt/format.h>

#include "harness/backends/vm.hpp"
#include "harness/backends/vm_container.hpp"
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
  options.guest_cgroup = setup.guest_cgroup;
  options.guest_kernel_args = setup.guest_kernel_args;
  options.guest_limits = setup.guest_limits;
  options.watch_guest_limits = setup.watch_guest_limits;
  options.guest_devices_cgroup = setup.guest_devices_cgroup;
  options.guest_without_cgroups = setup.guest_without_cgroups;
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

namespace {

std::unique_ptr<Backend> make_guest_backend(VmBackendOptions options, StopSignal& stop) {
  const auto wrapper = plugin_dir() / vm::emulator_wrapper_name;
  if (::access(wrapper.c_str(), X_OK) == 0) options.emulator_wrapper = wrapper;
  try {
    return load_vm_plugin().make_backend(options, stop);
  } catch (const vm::AcceleratorUnavailable&) {
    throw;  // already the one line the user needs
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Error& error) {
    throw sys::Error(fmt::format("vm backend: {}: check --libvirt-uri, or see benchrun doctor", error.what()));
  }
}

}  // namespace

std::unique_ptr<Backend> make_vm_backend(const BackendSetup& setup) {
  return make_guest_backend(vm_options(setup), setup.stop);
}

std::unique_ptr<Backend> make_vm_container_backend(const BackendSetup& setup) {
  VmBackendOptions options = vm_options(setup);
  options.nested_container = true;
  options.image.name = std::string(guest_image_name);
  std::error_code ignored;
  options.own_executable = std::filesystem::read_symlink("/proc/self/exe", ignored);
  if (!options.guest_cgroup) options.guest_cgroup = vm::CgroupLayout::v2;
  return make_guest_backend(std::move(options), setup.stop);
}

int run_in_vm(const VmRunOptions& options, StopSignal& stop) { return load_vm_plugin().run_command(options, stop); }

std::vector<DoctorCheck> vm_host_checks(const BackendSetup& setup) {
  return {check_tool("qemu-system-x86_64", "qemu-system-x86", true), check_connection(setup.libvirt_uri),
          check_accelerator(vm_options(setup), setup.stop)};
}

std::vector<DoctorCheck> vm_container_host_checks(const BackendSetup& setup) {
  // The guests themselves are vm's checks (listed once); vm+container adds its image.
  ImageChoice guest = setup.image;
  guest.name = std::string(guest_image_name);
  std::error_code ignored;
  const auto own = std::filesystem::read_symlink("/proc/self/exe", ignored);
  try {
    return {{"vm+container image", true,
             fmt::format("{} holds {} and {}/{}", guest.dir().string(), benchrun_in_guest(guest.rootfs(), own),
                         nested_images_dir, nested_image_name),
             "", false}};
  } catch (const sys::Error& error) {
    return {{"vm+container image", false, error.what(), "cmake --build build/release --target benchrun_guest_image",
             false}};
  }
}

}  // namespace benchrun::harness
