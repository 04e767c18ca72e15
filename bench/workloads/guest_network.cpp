#include "guest_network.hpp"

#include <dirent.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "runtime/net/netlink.hpp"

namespace benchinit {
namespace {

// The first interface under /sys/class/net other than lo, in name order (the guest has one NIC: eth0, named
// by the kernel since nothing in the initramfs renames it). Empty when there is none.
std::string first_nic() {
  std::string found;
  DIR* interfaces = opendir("/sys/class/net");
  if (interfaces == nullptr) return found;
  while (const dirent* entry = readdir(interfaces)) {
    const std::string name = entry->d_name;
    if (name == "." || name == ".." || name == "lo") continue;
    if (found.empty() || name < found) found = name;
  }
  closedir(interfaces);
  return found;
}

}  // namespace

bool configure_guest_network(const char* address_with_prefix, char* error, std::size_t capacity) {
  const char* slash = std::strchr(address_with_prefix, '/');
  int prefix_length = -1;
  if (slash != nullptr && slash[1] != '\0' && std::strlen(slash + 1) <= 2) {
    prefix_length = 0;
    for (const char* digit = slash + 1; *digit != '\0'; ++digit) {
      if (*digit < '0' || *digit > '9') prefix_length = -100;
      prefix_length = prefix_length * 10 + (*digit - '0');
    }
  }
  if (prefix_length < 0 || prefix_length > 32) {
    std::snprintf(error, capacity, "benchrun.net=%s: not an IPv4 address/prefix (e.g. 192.0.2.2/30)",
                  address_with_prefix);
    return false;
  }
  const std::string nic = first_nic();
  if (nic.empty()) {
    std::snprintf(error, capacity,
                  "benchrun.net=%s: no network interface besides lo (does the image load virtio_net and the "
                  "domain have a NIC?)",
                  address_with_prefix);
    return false;
  }
  try {
    auto rtnl = benchrun::runtime::net::RtnlSocket::open();
    const int index = rtnl.link_index(nic);
    rtnl.add_ipv4_address(index, std::string(address_with_prefix, slash), prefix_length);
    rtnl.set_link_up(index);
  } catch (const std::exception& failure) {
    std::snprintf(error, capacity, "benchrun.net=%s on %s: %s", address_with_prefix, nic.c_str(), failure.what());
    return false;
  }
  return true;
}

}  // namespace benchinit
