#include "runtime/net/veth_pair.hpp"

#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>

#include <fmt/format.h>
#include <cerrno>
#include <utility>

namespace benchrun::runtime::net {

void check_interface_name(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ || name.find('/') != std::string::npos) {
    throw sys::Error(fmt::format("interface name \"{}\": 1 to {} bytes without '/'", name, IFNAMSIZ - 1));
  }
}

NetlinkMessage make_veth_request(const std::string& first_name, const std::string& second_name, int second_ns_fd) {
  NetlinkMessage message(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  message.add_struct(ifinfomsg{});
  message.add_string(IFLA_IFNAME, first_name);
  const auto link_info = message.begin_nested(IFLA_LINKINFO);
  message.add_string(IFLA_INFO_KIND, "veth");
  const auto info_data = message.begin_nested(IFLA_INFO_DATA);
  // The peer's attributes follow an ifinfomsg of its own, as for a link of its own.
  const auto peer = message.begin_nested(VETH_INFO_PEER);
  message.add_struct(ifinfomsg{});
  message.add_string(IFLA_IFNAME, second_name);
  message.add_u32(IFLA_NET_NS_FD, static_cast<std::uint32_t>(second_ns_fd));
  message.end_nested(peer);
  message.end_nested(info_data);
  message.end_nested(link_info);
  return message;
}

VethPair VethPair::create(NetNamespace& first, const std::string& first_name, NetNamespace& second,
                          const std::string& second_name) {
  check_interface_name(first_name);
  check_interface_name(second_name);
  auto message = make_veth_request(first_name, second_name, second.fd());
  first.rtnl().request(message, fmt::format("netlink: create veth {} <-> {}", first_name, second_name));
  VethPair pair;
  pair.first_ = &first;
  pair.first_name_ = first_name;
  return pair;
}

VethPair::VethPair(VethPair&& other) noexcept
    : first_(std::exchange(other.first_, nullptr)), first_name_(std::move(other.first_name_)) {}

VethPair& VethPair::operator=(VethPair&& other) noexcept {
  if (this != &other) {
    try {
      remove();
    } catch (...) {  // the namespace's end removes it anyway
    }
    first_ = std::exchange(other.first_, nullptr);
    first_name_ = std::move(other.first_name_);
  }
  return *this;
}

VethPair::~VethPair() {
  try {
    remove();
  } catch (...) {  // the namespace's end removes it anyway
  }
}

void VethPair::remove() {
  if (first_ == nullptr) return;
  NetNamespace* first = std::exchange(first_, nullptr);
  int index = 0;
  try {
    index = first->rtnl().link_index(first_name_);
  } catch (const sys::SystemError& error) {
    if (error.code() == ENODEV) return;  // gone already (its peer's namespace ended)
    throw;
  }
  first->rtnl().delete_link(index, first_name_);
}

}  // namespace benchrun::runtime::net
