// The kernel command line a benchrun guest boots with, and the parameters benchinit reads from it (cgroup
// layout, results port). Pure and libvirt-free (benchrun_vm_host), so `benchrun run` checks a command for
// the kernel command line before it loads the vm plugin.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace benchrun::vm {

// How benchinit mounts cgroups in the guest (benchrun.cgroup=):
// v2 = cgroup2 at /sys/fs/cgroup with every controller enabled; v1 = one hierarchy per controller;
// hybrid = v1 plus cgroup2 at /sys/fs/cgroup/unified. No layout at all: nothing is mounted there.
enum class CgroupLayout { v2, v1, hybrid };

std::string_view to_string(CgroupLayout layout) noexcept;
// "v2", "v1", "hybrid"; nullopt for anything else.
std::optional<CgroupLayout> parse_cgroup_layout(std::string_view text) noexcept;

// The virtio-serial port a guest writes its /results folder to (one tar stream) before it powers off:
// benchinit finds the port by this name under /sys/class/virtio-ports (docs: CONTRACT of issue 11).
inline constexpr std::string_view results_channel_name = "org.benchrun.results";

// The guest NIC's address for benchinit, benchrun.net=<IPv4 address>/<prefix> (e.g. 192.0.2.2/30): it gives
// it to the guest's first network interface and sets it up before the workload (bench/workloads/guest_network).
inline constexpr std::string_view guest_network_parameter = "benchrun.net";

// The kernel parameters benchinit reads for these (benchrun.results=org.benchrun.results when
// `with_results`, benchrun.cgroup=v2 ...), for kernel_cmdline's `extra`.
std::vector<std::string> guest_parameters(bool with_results, std::optional<CgroupLayout> cgroup_layout);

// console=ttyS0 rdinit=/sbin/benchinit, the boot-time savers (see kernel_cmdline.cpp), BENCHRUN_POWEROFF=1
// (reaches benchinit as environment: the kernel hands unknown k=v parameters without a dot to init),
// `extra`, then " -- " and the workload argv (the kernel hands what follows "--" to init as argv).
// Throws Error for an argument the kernel would split or mangle (whitespace, quotes, empty) or a line
// longer than the kernel keeps (2048 bytes on x86).
std::string kernel_cmdline(const std::vector<std::string>& workload_argv, const std::vector<std::string>& extra = {});

}  // namespace benchrun::vm
