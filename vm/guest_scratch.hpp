// A guest's scratch disk on the kernel command line, benchrun.scratch=<device> (e.g. benchrun.scratch=/dev/vda):
// the host attaches a raw file it formatted ext4 as that virtio disk, and benchinit, the guest's PID 1
// (bench/workloads/guest_setup.cpp), mounts it at guest_scratch_folder before the workload starts. The guest's
// root is a tmpfs; the limits suite's I/O and page-cache checks need a disk under their --scratch-dir, and the
// guest's benchrun (vm+container, harness/suites/in_guest_suite.hpp) gets this folder. Header-only and
// dependency-free: benchinit is a static binary.
#pragma once

#include <string_view>

namespace benchrun::vm {

inline constexpr std::string_view guest_scratch_parameter = "benchrun.scratch";
// Where benchinit mounts the disk (ext4) in the guest.
inline constexpr std::string_view guest_scratch_folder = "/var/tmp/benchrun-scratch";
// The device of the first virtio disk: the one the host attaches for the scratch folder.
inline constexpr std::string_view guest_scratch_device = "/dev/vda";

// A virtio disk's whole device, /dev/vd<letter> (a to z): the only values benchinit mounts; anything else (a
// partition, another path, an empty value) is refused.
constexpr bool valid_scratch_device(std::string_view device) noexcept {
  constexpr std::string_view prefix = "/dev/vd";
  return device.size() == prefix.size() + 1 && device.substr(0, prefix.size()) == prefix && device.back() >= 'a' &&
         device.back() <= 'z';
}

}  // namespace benchrun::vm
