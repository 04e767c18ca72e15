// The verdict of a KVM probe boot, kept per host kernel, QEMU and libvirt version: a probe boot costs
// seconds (its whole timeout where KVM hangs), and its answer changes only when one of the three does.
#pragma once

#include <filesystem>
#include <string>

#include "vm/accelerator.hpp"

namespace benchrun::vm {

struct KvmProbeKey {
  std::string kernel;   // uname release and version
  std::string qemu;     // "7.2.0"
  std::string libvirt;  // "9.0.0"

  bool operator==(const KvmProbeKey&) const = default;
};

// uname's release and version ("6.1.0-28-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1").
std::string host_kernel();

// Wraps `probe`: a verdict recorded in `cache_file` for `key` is returned without probing; otherwise the
// probe runs and its verdict is recorded (the file replaced atomically). A missing, unreadable or foreign
// cache file only means probing again; failing to record is not an error (the next run probes again).
KvmProbe cached_kvm_probe(std::filesystem::path cache_file, KvmProbeKey key, KvmProbe probe);

}  // namespace benchrun::vm
