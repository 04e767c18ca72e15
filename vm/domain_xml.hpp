// The libvirt domain XML of a benchrun guest (its kernel command line: kernel_cmdline.hpp). A pure function
// of its input, so unit tests check it without a hypervisor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vm/kernel_cmdline.hpp"
#include "vm/tunables.hpp"

namespace benchrun::vm {

// Where the guest's serial console (ttyS0, the kernel console and benchinit's stdout) goes.
enum class ConsoleKind {
  fifo,  // a named pipe on the host that QEMU writes into: nothing is lost before the host reads (local)
  pty,   // a pseudo-terminal read through virDomainOpenConsole: works over remote connections
};

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
  // Non-empty: a virtio NIC on this tap, which must exist (persistent) where libvirt looks it up: in the
  // network namespace of the thread that creates the domain (vm::GuestNic). libvirt opens it and hands QEMU
  // the fd; it neither creates, configures nor deletes it (managed='no').
  std::string tap_device;
  // The guest's limits as libvirt tunables (tunables.hpp): <cputune>, and <iotune> on every disk.
  DomainTunables tunables;
};

// The <interface> element of a guest's NIC on the existing tap `tap` (see DomainSpec::tap_device).
std::string nic_device(const std::string& tap);

// The <disk> elements of `files`: raw, cache='none' and io='native' (the guest's O_DIRECT reaches the host's
// disk, as a container's does through its bind mount), virtio bus, vda, vdb, ..., each with the <iotune> of
// `tunables` if it has a rate. Throws Error past vdz.
std::string disk_devices(const std::vector<std::string>& files, const DomainTunables& tunables = {});

// The domain XML. Throws Error for a spec libvirt would refuse or misread (unknown type, no vCPU...).
std::string domain_xml(const DomainSpec& spec);

}  // namespace benchrun::vm
