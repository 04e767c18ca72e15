// What a report must say about the machine a run measured, so a figure can be judged by whoever reads it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace benchrun::harness {

struct HostEnvironment {
  std::string hostname;
  std::string kernel;
  std::string os;
  std::string cpu_model;
  unsigned cores = 0;
  std::uint64_t memory_bytes = 0;
  std::string cgroup_version;  // "v1" (incl. hybrid), "v2"
  bool kvm_usable = false;
  std::optional<std::string> libvirt_version;
  std::optional<std::string> qemu_version;
  std::optional<std::string> crun_version;
  std::optional<std::string> runc_version;
  std::string git_commit;
};

// Reads /proc, uname and the tools' --version (a few processes: not for hot paths).
HostEnvironment probe_environment();

// First line of `program --version`, or nullopt when the program is missing or fails.
std::optional<std::string> tool_version(const std::string& program);

// True when /dev/kvm exists and can be opened read-write.
bool kvm_usable();

}  // namespace benchrun::harness
