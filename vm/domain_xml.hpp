// The libvirt domain XML of a benchrun guest and the kernel command line it boots with. Pure functions of
// their inputs, so unit tests check them without a hypervisor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vm/cgroup_layout.hpp"

namespace benchrun::vm {

// Where the guest's serial console (ttyS0, the kernel console and benchinit's stdout) goes.
enum class ConsoleKind {
  fifo,  // a named pipe on the host that QEMU writes into: nothing is lost before the host reads (local)
  pty,   // a pseudo-terminal read through virDomainOpenConsole: works over remote connections
};

// The virtio-serial port a guest writes its /results folder to (one tar stream) before it powers off:
// benchinit finds the port by this name under /sys/class/virtio-ports (docs: CONTRACT of issue 11).
inline constexpr std::string_view results_channel_name = "org.benchrun.results";

// The kernel parameters benchinit reads for these (benchrun.results=org.benchrun.results when
// `with_results`, benchrun.cgroup=v2 ...), for kernel_cmdline's `extra`.
std::vector<std::string> guest_parameters(bool with_results, std::optional<CgroupLayout> cgroup_layout);

struct DomainSpec {
  std::string name;         // benchrun-<run>-<n>
  std::string domain_type;  // "kvm" or "qemu" (TCG)
  std::string emulator;     // the QEMU binary libvirt starts; empty: libvirt's default for the arch
  unsigned vcpus = 1;
  std::uint64_t memory_mib = 256;
  std::string kernel;  // host paths (copies libvirt may chown, see boot_files.hpp)
  std::string initramfs;
  std::string cmdline;  // see kernel_cmdline()
  ConsoleKind console = ConsoleKind::fifo;
  std::string console_fifo;  // for ConsoleKind::fifo: the fifos are <console_fifo>.in and .out
  // Raw host files attached as virtio disks, in order: the guest sees /dev/vda, /dev/vdb, ... (its kernel needs
  // virtio_blk: a module of the Debian cloud kernel, loaded by an image that lists it in /etc/benchrun/modules).
  std::vector<std::string> disk_files;
  // Non-empty: a virtio-serial port named results_channel_name whose bytes QEMU writes into this host
  // file (a <channel type='file'>), for the guest's results tar.
  std::string results_file;
};

// The <disk> elements of `files`: raw, cache='none' and io='native' (the guest's O_DIRECT reaches the host's
// disk, as a container's does through its bind mount), virtio bus, vda, vdb, ... Throws Error past vdz.
std::string disk_devices(const std::vector<std::string>& files);

// console=ttyS0 rdinit=/sbin/benchinit, the boot-time savers (see domain_xml.cpp), BENCHRUN_POWEROFF=1
// (reaches benchinit as environment: the kernel hands unknown k=v parameters without a dot to init),
// `extra`, then " -- " and the workload argv (the kernel hands what follows "--" to init as argv).
// Throws Error for an argument the kernel would split or mangle (whitespace, quotes, empty) or a line
// longer than the kernel keeps (2048 bytes on x86).
std::string kernel_cmdline(const std::vector<std::string>& workload_argv, const std::vector<std::string>& extra = {});

// The domain XML. Throws Error for a spec libvirt would refuse or misread (unknown type, no vCPU...).
std::string domain_xml(const DomainSpec& spec);

}  // namespace benchrun::vm
