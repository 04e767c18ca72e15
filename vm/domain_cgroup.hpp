// A guest's CPU cgroup as libvirt's embedded driver makes it, read from the host by the domain's name without
// libvirt: <cpu hierarchy>/machine/qemu-embed-<hash>-<id>-<name>.libvirt-qemu, with a vcpuN child per vCPU
// and an emulator child (the threads sit in the children; the domain's directory holds none).
//
// <cputune><shares> land on the domain's directory: that is the level the shares divide a CPU at, between the
// domains of one root (siblings under /machine). vcpuN keeps the default weight; beside only its emulator
// sibling it divides nothing between guests (as crun's and runc's leaf, runtime/oci/oci_container.cpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace benchrun::vm {

struct DomainCpuCgroup {
  std::filesystem::path dir;                 // the domain's cgroup in the cpu hierarchy
  std::optional<std::uint64_t> weight;       // its cpu.shares (v1) or cpu.weight (v2)
  std::optional<std::uint64_t> vcpu_weight;  // vcpu0's (the default: the shares are not there)
  std::vector<pid_t> vcpu_threads;           // the threads of every vcpuN child
};

// The domain's cgroup directory in the cpu hierarchy under `cgroup_root` (v1: <root>/cpu/machine, v2:
// <root>/machine); nullopt when there is none (no cgroup controllers, the guest gone, a remote libvirt).
std::optional<std::filesystem::path> find_domain_cpu_cgroup(const std::filesystem::path& cgroup_root, bool cgroup_v1,
                                                            const std::string& domain_name);

// Reads the domain's weight, vcpu0's and the vCPU threads (v1: each vcpuN's tasks, v2: cgroup.threads).
DomainCpuCgroup read_domain_cpu_cgroup(const std::filesystem::path& dir, bool cgroup_v1);

// The threads' time on a CPU so far: the sum of /proc/<tid>/schedstat's first field under `proc`; nullopt when
// none of them could be read (all gone).
std::optional<std::uint64_t> threads_cpu_ns(const std::vector<pid_t>& threads,
                                            const std::filesystem::path& proc = "/proc");

}  // namespace benchrun::vm
