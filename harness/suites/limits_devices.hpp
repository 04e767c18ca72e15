// The limits suite's devices check: a device node outside the allow list (runtime/cgroup/devices.hpp) cannot
// be opened, and the allowed devices still work. The workload (devprobe) makes a node of /dev/kmsg, 1:11, opens
// it write-only and writes to /dev/null; the host reads the restriction back: v1's devices.list without
// "a *:* rwm", or on v2 a device program attached to the instance's cgroup (bpf BPF_PROG_QUERY). Exact: the
// open fails with EPERM or it does not. --limits-off devices runs our container without its devices cgroup and
// gives crun and runc one allow-all device rule.
#pragma once

#include <filesystem>

#include "harness/suites/limits_checks.hpp"
#include "runtime/cgroup/mode.hpp"

namespace benchrun::harness {

LimitCheck devices_limit_check();

std::vector<reports::Verdict> judge_devices(const LimitCheck& check, const Observation& seen);

// Fills the devices fields of `view`: <root>/devices/<relative>/devices.list on v1, the device programs
// attached to <root>/<relative> on v2.
void read_devices_host_view(runtime::CgroupMode mode, const std::filesystem::path& root,
                            const std::filesystem::path& relative, HostView& view);

}  // namespace benchrun::harness
