// A loaded cgroup v2 device program (BPF_PROG_TYPE_CGROUP_DEVICE), owned: its fd is what keeps it alive until
// it is attached; an attached program lives as long as its cgroup, so the fd is closed once the cgroup is gone.
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>

#include "sys/unique_fd.hpp"

namespace benchrun::runtime {

class DeviceProgram {
 public:
  DeviceProgram() = default;
  // bpf(BPF_PROG_LOAD); a refusal carries the verifier's log in the error.
  static DeviceProgram load(std::span<const bpf_insn> instructions);

  // bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE) on the cgroup directory, with BPF_F_ALLOW_MULTI: the programs of
  // the ancestors keep running too, and all must allow an access.
  void attach(const std::filesystem::path& cgroup_dir) const;

  [[nodiscard]] bool loaded() const noexcept { return fd_.valid(); }
  void reset() noexcept { fd_.reset(); }

 private:
  explicit DeviceProgram(sys::UniqueFd fd) : fd_(std::move(fd)) {}
  sys::UniqueFd fd_;
};

// How many device programs are attached to the cgroup directory itself (bpf(BPF_PROG_QUERY), root only);
// nullopt when the directory or the query fails.
std::optional<std::uint32_t> attached_device_programs(const std::filesystem::path& cgroup_dir);

}  // namespace benchrun::runtime
