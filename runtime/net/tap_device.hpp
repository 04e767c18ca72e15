// A tap device in a network namespace benchrun made, for a guest's virtio NIC: persistent (it outlives the
// short-lived fd that made it), so libvirt can open it by name with <interface type='ethernet'> and
// <target managed='no'/> from a thread in the same namespace (vm::GuestNic), and QEMU gets that fd.
//
// It is made inside the namespace (the tun driver puts a new device in the namespace of the process that
// opened /dev/net/tun) and never exists in the host's: no address, bridge or route of the host's ever sees
// it. The destructor deletes it; a killed run's goes with its namespace (the kernel unregisters every
// virtual device of a namespace that ends), so there is nothing to sweep, as for VethPair.
#pragma once

#include <string>

#include "runtime/net/net_namespace.hpp"

namespace benchrun::runtime::net {

// IFF_TAP | IFF_NO_PI | IFF_VNET_HDR: Ethernet frames without the packet-information header, with the
// virtio-net header QEMU's virtio-net offloads use (libvirt opens a tap for a virtio NIC with the same flags).
short tap_flags();

class TapDevice {
 public:
  // Creates the persistent tap `name` in `ns` (at most 15 bytes) and leaves it down, without an address
  // (NetNamespace::configure_link gives it both). `ns` must outlive the device and stay where it is (it
  // keeps a pointer). Throws SystemError (EBUSY: a tap of that name is there already; ENOENT: no
  // /dev/net/tun, modprobe tun).
  static TapDevice create(NetNamespace& ns, const std::string& name);

  TapDevice(TapDevice&& other) noexcept;
  TapDevice& operator=(TapDevice&& other) noexcept;
  TapDevice(const TapDevice&) = delete;
  TapDevice& operator=(const TapDevice&) = delete;
  ~TapDevice();

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  // Deletes the device (QEMU's open fd then reads EBADFD); idempotent. Throws SystemError.
  void remove();

 private:
  TapDevice() = default;
  NetNamespace* ns_ = nullptr;
  std::string name_;
};

}  // namespace benchrun::runtime::net
