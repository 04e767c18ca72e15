// What the container backend needs of this host, one doctor line each.
#include <sys/stat.h>

#include <fmt/format.h>
#include <sstream>

#include "harness/backends/container.hpp"
#include "runtime/cgroup/mode.hpp"
#include "sys/file_io.hpp"

namespace benchrun::harness {
namespace {

using Check = DoctorCheck;

// The file's content, "" when it does not exist (a doctor line says what is missing; other errors throw).
std::string read_file(const std::string& path) { return sys::read_file_if_present(path).value_or(""); }

Check check_cgroups() {
  try {
    const auto mode = runtime::detect_cgroup_mode();
    std::string controllers;
    if (mode == runtime::CgroupMode::v2) {
      controllers = read_file("/sys/fs/cgroup/cgroup.controllers");
      if (!controllers.empty() && controllers.back() == '\n') controllers.pop_back();
    } else {
      std::istringstream table(read_file("/proc/cgroups"));
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
  const bool present = read_file("/proc/filesystems").find("overlay") != std::string::npos ||
                       std::filesystem::exists("/sys/module/overlay");
  return {"overlayfs", present, present ? "available" : "not in /proc/filesystems", "modprobe overlay"};
}

Check check_seccomp() {
  const bool present = read_file("/proc/self/status").find("Seccomp:") != std::string::npos;
  return {"seccomp", present, present ? "available" : "kernel lacks CONFIG_SECCOMP",
          "use a kernel with CONFIG_SECCOMP_FILTER"};
}

}  // namespace

std::vector<DoctorCheck> container_host_checks(const BackendSetup& /*setup*/) {
  return {check_cgroups(), check_cgroup_attach_cost(), check_namespaces(), check_overlayfs(), check_seccomp()};
}

}  // namespace benchrun::harness
