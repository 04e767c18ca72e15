#include "runtime/cgroup/device_bpf.hpp"

#include <fcntl.h>

#include <array>
#include <cerrno>
#include <string>

#include "sys/error.hpp"
#include "sys/syscalls.hpp"

namespace benchrun::runtime {
namespace {

constexpr const char* license = "GPL";  // the program calls no helper; the kernel asks for a license anyway

sys::UniqueFd open_cgroup_dir(const std::filesystem::path& dir) {
  sys::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) sys::throw_errno("open " + dir.string());
  return fd;
}

}  // namespace

DeviceProgram DeviceProgram::load(std::span<const bpf_insn> instructions) {
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<std::uintptr_t>(instructions.data());
  attr.insn_cnt = static_cast<std::uint32_t>(instructions.size());
  attr.license = reinterpret_cast<std::uintptr_t>(license);
  sys::UniqueFd fd(sys::bpf(BPF_PROG_LOAD, attr));
  if (fd) return DeviceProgram(std::move(fd));
  const int load_errno = errno;
  if (load_errno != EACCES && load_errno != EINVAL) {
    throw sys::SystemError(load_errno, "cgroup devices: load the device program (bpf BPF_PROG_LOAD)");
  }
  // The verifier refused it: load again with a log, for the message.
  std::array<char, 4096> log{};
  attr.log_level = 1;
  attr.log_buf = reinterpret_cast<std::uintptr_t>(log.data());
  attr.log_size = static_cast<std::uint32_t>(log.size());
  sys::UniqueFd retried(sys::bpf(BPF_PROG_LOAD, attr));
  if (retried) return DeviceProgram(std::move(retried));
  log.back() = '\0';
  std::string verifier_log(log.data());
  for (char& c : verifier_log) c = c == '\n' ? ' ' : c;  // one line
  if (verifier_log.empty()) {
    throw sys::SystemError(load_errno,
                           "cgroup devices: the kernel refused the device program (built without CONFIG_CGROUP_BPF? "
                           "set ContainerConfig::devices_cgroup = false to run without it)");
  }
  throw sys::SystemError(load_errno, "cgroup devices: the verifier refused the device program: " + verifier_log);
}

void DeviceProgram::attach(const std::filesystem::path& cgroup_dir) const {
  const sys::UniqueFd dir = open_cgroup_dir(cgroup_dir);
  bpf_attr attr{};
  attr.target_fd = static_cast<std::uint32_t>(dir.get());
  attr.attach_bpf_fd = static_cast<std::uint32_t>(fd_.get());
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (sys::bpf(BPF_PROG_ATTACH, attr) != 0) {
    sys::throw_errno("cgroup devices: attach the device program to " + cgroup_dir.string() + " (bpf BPF_PROG_ATTACH)");
  }
}

std::optional<std::uint32_t> attached_device_programs(const std::filesystem::path& cgroup_dir) {
  const sys::UniqueFd dir(::open(cgroup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return std::nullopt;
  bpf_attr attr{};
  attr.query.target_fd = static_cast<std::uint32_t>(dir.get());
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  if (sys::bpf(BPF_PROG_QUERY, attr) != 0) return std::nullopt;
  return attr.query.prog_cnt;
}

}  // namespace benchrun::runtime
