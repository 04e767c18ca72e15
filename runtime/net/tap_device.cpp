#include "runtime/net/tap_device.hpp"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>
#include <utility>

#include "runtime/net/veth_pair.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::runtime::net {

short tap_flags() { return static_cast<short>(IFF_TAP | IFF_NO_PI | IFF_VNET_HDR); }

TapDevice TapDevice::create(NetNamespace& ns, const std::string& name) {
  check_interface_name(name);
  run_in_namespace(ns, [&] {
    // Opened on a thread inside `ns`: the device is born there.
    sys::UniqueFd tun(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    if (!tun) sys::throw_errno("open /dev/net/tun (modprobe tun)");
    ifreq request{};
    std::memcpy(request.ifr_name, name.data(), name.size());
    // IFF_TUN_EXCL: a new device or EBUSY, never an attach to one of that name already there.
    request.ifr_flags = static_cast<short>(tap_flags() | IFF_TUN_EXCL);
    if (::ioctl(tun.get(), TUNSETIFF, &request) != 0) sys::throw_errno(fmt::format("TUNSETIFF tap {}", name));
    // Persistent: the device stays when this fd closes, until it is deleted (or its namespace ends).
    if (::ioctl(tun.get(), TUNSETPERSIST, 1) != 0) sys::throw_errno(fmt::format("TUNSETPERSIST tap {}", name));
  });
  TapDevice tap;
  tap.ns_ = &ns;
  tap.name_ = name;
  return tap;
}

TapDevice::TapDevice(TapDevice&& other) noexcept
    : ns_(std::exchange(other.ns_, nullptr)), name_(std::move(other.name_)) {}

TapDevice& TapDevice::operator=(TapDevice&& other) noexcept {
  if (this != &other) {
    try {
      remove();
    } catch (...) {  // the namespace's end removes it anyway
    }
    ns_ = std::exchange(other.ns_, nullptr);
    name_ = std::move(other.name_);
  }
  return *this;
}

TapDevice::~TapDevice() {
  try {
    remove();
  } catch (...) {  // the namespace's end removes it anyway
  }
}

void TapDevice::remove() {
  if (ns_ == nullptr) return;
  NetNamespace* ns = std::exchange(ns_, nullptr);
  int index = 0;
  try {
    index = ns->rtnl().link_index(name_);
  } catch (const sys::SystemError& error) {
    if (error.code() == ENODEV) return;
    throw;
  }
  ns->rtnl().delete_link(index, name_);
}

}  // namespace benchrun::runtime::net
