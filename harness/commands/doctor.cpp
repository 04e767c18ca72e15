// benchrun doctor: one line per capability this host has or lacks, with the fix for what it lacks.
#include <sys/stat.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sstream>

#include "harness/backends/vm.hpp"
#include "harness/commands/commands.hpp"
#include "harness/commands/doctor_check.hpp"
#include "harness/environment.hpp"
#include "harness/image.hpp"
#include "harness/runner.hpp"
#include "runtime/cgroup/mode.hpp"
#include "sys/file_io.hpp"

namespace benchrun::harness {
namespace {

using Check = DoctorCheck;

Check check_cgroups() {
  try {
    const auto mode = runtime::detect_cgroup_mode();
    std::string controllers;
    if (mode == runtime::CgroupMode::v2) {
      controllers = sys::read_file("/sys/fs/cgroup/cgroup.controllers");
      if (!controllers.empty() && controllers.back() == '\n') controllers.pop_back();
    } else {
      std::istringstream table(sys::read_file("/proc/cgroups"));
      std::string line;
      std::getline(table, line);  // header
      while (std::getline(table, line)) {
        std::istringstream fields(line);
        std::string name;
        int hierarchy = 0, count = 0, enabled = 0;
        fields >> name >> hierarchy >> count >> enabled;
        if (enabled == 1 && hierarchy != 0) controllers += (controllers.empty() ? "" : " ") + name;
      }
    }
    const bool complete = controllers.find("memory") != std::string::npos &&
                          controllers.find("pids") != std::string::npos && controllers.find("cpu") != std::string::npos;
    return {"cgroups", complete, fmt::format("{} ({})", runtime::to_string(mode), controllers),
            "enable the memory, cpu and pids controllers (kernel cmdline cgroup_enable=memory)"};
  } catch (const std::exception& error) {
    return {"cgroups", false, error.what(), "mount cgroupfs at /sys/fs/cgroup"};
  }
}

Check check_namespaces() {
  std::string missing;
  for (const char* ns : {"pid", "mnt", "uts", "ipc", "net", "cgroup", "user"}) {
    struct stat info {};
    if (::stat(fmt::format("/proc/self/ns/{}", ns).c_str(), &info) != 0) missing += fmt::format(" {}", ns);
  }
  return {"namespaces", missing.empty(), missing.empty() ? "pid mnt uts ipc net cgroup user" : "missing:" + missing,
          "use a kernel built with CONFIG_NAMESPACES and all namespace types"};
}

Check check_overlayfs() {
  const bool present = sys::read_file("/proc/filesystems").find("overlay") != std::string::npos ||
                       std::filesystem::exists("/sys/module/overlay");
  return {"overlayfs", present, present ? "available" : "not in /proc/filesystems", "modprobe overlay"};
}

Check check_seccomp() {
  const bool present = sys::read_file("/proc/self/status").find("Seccomp:") != std::string::npos;
  return {"seccomp", present, present ? "available" : "kernel lacks CONFIG_SECCOMP",
          "use a kernel with CONFIG_SECCOMP_FILTER"};
}

Check check_tool(const std::string& program, const std::string& package, bool required) {
  const auto version = tool_version(program);
  return {program, version.has_value(), version.value_or("not found"),
          fmt::format("apt-get install {} (scripts/setup.sh)", package), required};
}

Check check_image(const ImageChoice& image) {
  try {
    require_image(image, "hello");
    const bool vm_parts =
        std::filesystem::exists(image.dir() / "vmlinuz") && std::filesystem::exists(image.dir() / "initramfs.cpio");
    return {"image", vm_parts,
            fmt::format("{} ({}){}", image.dir().string(), fmt::join(image_workloads(image), ", "),
                        vm_parts ? "" : ", without kernel/initramfs"),
            "scripts/build-image.sh"};
  } catch (const std::exception& error) {
    return {"image", false, error.what(), "scripts/build-image.sh"};
  }
}

// What a guest gets here, told as the suite would choose it (a probe boot where /dev/kvm is doubtful).
Check check_accelerator(const DoctorCommand& options, StopSignal& stop) {
  VmBackendOptions vm_options;
  vm_options.libvirt_uri = options.libvirt_uri;
  vm_options.image = options.image;
  vm_options.run_id = make_run_id();
  vm_options.accel = options.accel;
  return check_vm_accelerator(vm_options, stop);
}

}  // namespace

int run_doctor(const DoctorCommand& options, StopSignal& stop) {
  std::vector<Check> checks{check_cgroups(), check_cgroup_attach_cost(), check_namespaces(), check_overlayfs(),
                            check_seccomp()};
  checks.push_back(check_tool("qemu-system-x86_64", "qemu-system-x86", true));
  checks.push_back(check_vm_connection(options.libvirt_uri));
  checks.push_back(check_image(options.image));
  checks.push_back(check_accelerator(options, stop));
  checks.push_back(check_tool("crun", "crun", false));
  checks.push_back(check_tool("runc", "runc", false));

  bool all_required_ok = true;
  for (const auto& check : checks) {
    const char* mark = check.ok ? "ok  " : (check.required ? "FAIL" : "warn");
    fmt::print("{} {:<20} {}\n", mark, check.name, check.detail);
    if (!check.ok) fmt::print("     {:<20} fix: {}\n", "", check.fix);
    if (!check.note.empty()) fmt::print("     {:<20} note: {}\n", "", check.note);
    all_required_ok = all_required_ok && (check.ok || !check.required);
  }
  return all_required_ok ? exit_ok : exit_failure;
}

}  // namespace benchrun::harness
