#include "runtime/net/netlink.hpp"

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <fmt/format.h>
#include <array>
#include <cstring>

#include "sys/error.hpp"
#include "sys/retry.hpp"

namespace benchrun::runtime::net {

namespace {

nlmsghdr read_header(std::span<const std::byte> bytes, std::size_t offset) {
  nlmsghdr header{};
  std::memcpy(&header, bytes.data() + offset, sizeof header);
  return header;
}

// Calls `visit(header, offset)` for each message of `reply`, until it returns true. Throws on a message
// whose length runs past the reply.
template <typename Visit>
void for_each_message(std::span<const std::byte> reply, Visit&& visit) {
  std::size_t offset = 0;
  while (offset + sizeof(nlmsghdr) <= reply.size()) {
    const nlmsghdr header = read_header(reply, offset);
    if (header.nlmsg_len < sizeof(nlmsghdr) || offset + header.nlmsg_len > reply.size()) {
      throw sys::Error(fmt::format("netlink: malformed reply (message of {} bytes at {} in {})", header.nlmsg_len,
                                   offset, reply.size()));
    }
    if (visit(header, offset)) return;
    offset += NLMSG_ALIGN(header.nlmsg_len);
  }
}

}  // namespace

NetlinkMessage::NetlinkMessage(std::uint16_t type, std::uint16_t flags) {
  nlmsghdr header{};
  header.nlmsg_type = type;
  header.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
  append(&header, sizeof header);
  update_length();
}

void NetlinkMessage::append(const void* data, std::size_t size) {
  const auto* begin = static_cast<const std::byte*>(data);
  bytes_.insert(bytes_.end(), begin, begin + size);
  pad();
  update_length();
}

void NetlinkMessage::pad() { bytes_.resize(NLMSG_ALIGN(bytes_.size())); }

void NetlinkMessage::update_length() {
  const auto length = static_cast<std::uint32_t>(bytes_.size());
  std::memcpy(bytes_.data() + offsetof(nlmsghdr, nlmsg_len), &length, sizeof length);
}

void NetlinkMessage::add_attribute(std::uint16_t type, const void* data, std::size_t size) {
  rtattr attribute{};
  attribute.rta_type = type;
  attribute.rta_len = static_cast<std::uint16_t>(RTA_LENGTH(size));
  const auto* header = reinterpret_cast<const std::byte*>(&attribute);
  bytes_.insert(bytes_.end(), header, header + sizeof attribute);
  const auto* begin = static_cast<const std::byte*>(data);
  bytes_.insert(bytes_.end(), begin, begin + size);
  pad();
  update_length();
}

void NetlinkMessage::add_string(std::uint16_t type, std::string_view text) {
  std::vector<char> with_nul(text.begin(), text.end());
  with_nul.push_back('\0');
  add_attribute(type, with_nul.data(), with_nul.size());
}

std::size_t NetlinkMessage::begin_nested(std::uint16_t type) {
  const std::size_t offset = bytes_.size();
  add_attribute(type, nullptr, 0);
  return offset;
}

void NetlinkMessage::end_nested(std::size_t offset) {
  const auto length = static_cast<std::uint16_t>(bytes_.size() - offset);
  std::memcpy(bytes_.data() + offset + offsetof(rtattr, rta_len), &length, sizeof length);
}

void NetlinkMessage::set_sequence(std::uint32_t sequence) {
  std::memcpy(bytes_.data() + offsetof(nlmsghdr, nlmsg_seq), &sequence, sizeof sequence);
}

std::uint32_t NetlinkMessage::sequence() const { return read_header(bytes_, 0).nlmsg_seq; }

std::optional<int> parse_ack(std::span<const std::byte> reply, std::uint32_t sequence) {
  std::optional<int> error;
  for_each_message(reply, [&](const nlmsghdr& header, std::size_t offset) {
    if (header.nlmsg_seq != sequence || header.nlmsg_type != NLMSG_ERROR) return false;
    if (header.nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) throw sys::Error("netlink: truncated ACK");
    nlmsgerr ack{};
    std::memcpy(&ack, reply.data() + offset + NLMSG_HDRLEN, sizeof ack);
    error = ack.error;
    return true;
  });
  return error;
}

std::optional<int> parse_link_index(std::span<const std::byte> reply, std::uint32_t sequence) {
  std::optional<int> index;
  for_each_message(reply, [&](const nlmsghdr& header, std::size_t offset) {
    if (header.nlmsg_seq != sequence || header.nlmsg_type != RTM_NEWLINK) return false;
    if (header.nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) throw sys::Error("netlink: truncated RTM_NEWLINK");
    ifinfomsg info{};
    std::memcpy(&info, reply.data() + offset + NLMSG_HDRLEN, sizeof info);
    index = info.ifi_index;
    return true;
  });
  return index;
}

RtnlSocket RtnlSocket::open() {
  RtnlSocket socket;
  socket.fd_.reset(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!socket.fd_) sys::throw_errno("netlink: socket(NETLINK_ROUTE)");
  // Every reply comes within microseconds; the bound only keeps a lost one from hanging a run.
  const timeval receive_timeout{5, 0};
  if (::setsockopt(socket.fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &receive_timeout, sizeof receive_timeout) != 0) {
    sys::throw_errno("netlink: SO_RCVTIMEO");
  }
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(socket.fd_.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
    sys::throw_errno("netlink: bind");
  }
  return socket;
}

std::vector<std::byte> RtnlSocket::exchange(NetlinkMessage& message, std::string_view what) {
  message.set_sequence(next_sequence_++);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  const auto bytes = message.bytes();
  const auto sent = sys::retry_eintr([&] {
    return ::sendto(fd_.get(), bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&kernel),
                    sizeof kernel);
  });
  if (sent < 0) sys::throw_errno(fmt::format("{}: netlink send", what));
  std::vector<std::byte> received;
  std::array<std::byte, 16384> buffer{};
  // Replies to earlier requests were all read before theirs returned, so what comes is ours; a GETLINK
  // answer comes before its ACK, both kept.
  for (int reads = 0; reads < 64; ++reads) {
    const auto got = sys::retry_eintr([&] { return ::recv(fd_.get(), buffer.data(), buffer.size(), 0); });
    if (got < 0) sys::throw_errno(fmt::format("{}: netlink receive", what));
    const std::span<const std::byte> chunk(buffer.data(), static_cast<std::size_t>(got));
    const std::size_t chunk_start = received.size();
    received.insert(received.end(), chunk.begin(), chunk.end());
    if (const auto error = parse_ack(std::span(received).subspan(chunk_start), message.sequence())) {
      if (*error != 0) throw sys::SystemError(-*error, what);
      return received;
    }
  }
  throw sys::Error(fmt::format("{}: no netlink ACK after 64 replies", what));
}

void RtnlSocket::request(NetlinkMessage& message, std::string_view what) { exchange(message, what); }

int RtnlSocket::link_index(std::string_view name) {
  NetlinkMessage message(RTM_GETLINK, 0);
  message.add_struct(ifinfomsg{});
  message.add_string(IFLA_IFNAME, name);
  const std::string what = fmt::format("netlink: look up link {}", name);
  const auto reply = exchange(message, what);
  const auto index = parse_link_index(reply, message.sequence());
  if (!index) throw sys::Error(fmt::format("{}: the kernel answered without the link", what));
  return *index;
}

void RtnlSocket::set_link_up(int index) {
  NetlinkMessage message(RTM_NEWLINK, 0);
  ifinfomsg info{};
  info.ifi_family = AF_UNSPEC;
  info.ifi_index = index;
  info.ifi_flags = IFF_UP;
  info.ifi_change = IFF_UP;
  message.add_struct(info);
  request(message, fmt::format("netlink: set link {} up", index));
}

void RtnlSocket::add_ipv4_address(int index, std::string_view address, int prefix_length) {
  in_addr parsed{};
  const std::string text(address);
  if (::inet_pton(AF_INET, text.c_str(), &parsed) != 1) {
    throw sys::Error(fmt::format("netlink: \"{}\" is not an IPv4 address", text));
  }
  NetlinkMessage message(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  ifaddrmsg info{};
  info.ifa_family = AF_INET;
  info.ifa_prefixlen = static_cast<unsigned char>(prefix_length);
  info.ifa_scope = RT_SCOPE_UNIVERSE;
  info.ifa_index = static_cast<unsigned>(index);
  message.add_struct(info);
  message.add_attribute(IFA_LOCAL, &parsed, sizeof parsed);
  message.add_attribute(IFA_ADDRESS, &parsed, sizeof parsed);
  request(message, fmt::format("netlink: add {}/{} to link {}", text, prefix_length, index));
}

void RtnlSocket::delete_link(int index, std::string_view name) {
  NetlinkMessage message(RTM_DELLINK, 0);
  ifinfomsg info{};
  info.ifi_index = index;
  message.add_struct(info);
  request(message, fmt::format("netlink: delete link {}", name));
}

}  // namespace benchrun::runtime::net
