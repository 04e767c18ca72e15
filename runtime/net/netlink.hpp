// rtnetlink, the few requests benchrun's network plumbing needs: a message builder (header, family struct,
// attributes, nested attributes), an ACK parser, and a NETLINK_ROUTE socket that sends one request at a time
// and waits for its ACK. Written here rather than running iproute2's `ip`: a netlink socket belongs to the
// network namespace it was opened in, so a namespace we hold only by fd can be configured without a name in
// /run/netns (which a killed run would leave behind) and without a process per command.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "sys/unique_fd.hpp"

namespace benchrun::runtime::net {

// One request: nlmsghdr, then the family struct (ifinfomsg, ifaddrmsg), then attributes, each 4-byte aligned.
class NetlinkMessage {
 public:
  // NLM_F_REQUEST | NLM_F_ACK are always set; `flags` adds to them (NLM_F_CREATE | NLM_F_EXCL).
  NetlinkMessage(std::uint16_t type, std::uint16_t flags);

  // Appends the family struct right after the header (call once, first).
  template <typename Struct>
  void add_struct(const Struct& value) {
    append(&value, sizeof value);
  }
  void add_attribute(std::uint16_t type, const void* data, std::size_t size);
  void add_string(std::uint16_t type, std::string_view text);  // NUL-terminated, as the kernel wants names
  void add_u32(std::uint16_t type, std::uint32_t value) { add_attribute(type, &value, sizeof value); }
  // Opens a nested attribute; returns its offset, which end_nested() takes to write the length.
  std::size_t begin_nested(std::uint16_t type);
  void end_nested(std::size_t offset);

  void set_sequence(std::uint32_t sequence);
  [[nodiscard]] std::uint32_t sequence() const;
  [[nodiscard]] std::span<const std::byte> bytes() const { return bytes_; }

 private:
  void append(const void* data, std::size_t size);
  void pad();
  void update_length();
  std::vector<std::byte> bytes_;
};

// What a reply to a request with sequence `sequence` says: nullopt when `reply` holds no message for it,
// else the ACK's error (0: done, a negative errno: refused). Throws Error on a malformed reply.
std::optional<int> parse_ack(std::span<const std::byte> reply, std::uint32_t sequence);

// The ifindex of the RTM_NEWLINK message for `sequence` in `reply` (a reply to RTM_GETLINK), or nullopt.
std::optional<int> parse_link_index(std::span<const std::byte> reply, std::uint32_t sequence);

// A NETLINK_ROUTE socket bound to the network namespace of the thread that opened it.
class RtnlSocket {
 public:
  // Opens one in the calling thread's network namespace. Throws SystemError.
  static RtnlSocket open();

  // Sends `message` and waits for its ACK (a 5 s receive timeout bounds the wait). Throws SystemError with
  // the kernel's errno, prefixed by `what`.
  void request(NetlinkMessage& message, std::string_view what);
  // The ifindex of interface `name` in this socket's namespace. Throws SystemError (ENODEV: no such link).
  int link_index(std::string_view name);
  // Sets IFF_UP on interface `index`.
  void set_link_up(int index);
  // Adds an IPv4 address with prefix length to interface `index`.
  void add_ipv4_address(int index, std::string_view address, int prefix_length);
  // Deletes interface `index` (a veth pair goes whole, a persistent tap is gone). Throws SystemError
  // (ENODEV: no such link).
  void delete_link(int index, std::string_view name);

 private:
  std::vector<std::byte> exchange(NetlinkMessage& message, std::string_view what);
  sys::UniqueFd fd_;
  std::uint32_t next_sequence_ = 1;
};

}  // namespace benchrun::runtime::net
