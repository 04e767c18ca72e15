#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <gtest/gtest.h>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "runtime/net/netlink.hpp"
#include "runtime/net/veth_pair.hpp"
#include "sys/error.hpp"

namespace benchrun::runtime::net {
namespace {

struct Attribute {
  std::uint16_t type = 0;
  std::vector<std::byte> payload;
  std::string text() const { return {reinterpret_cast<const char*>(payload.data())}; }
  std::uint32_t u32() const {
    std::uint32_t value = 0;
    std::memcpy(&value, payload.data(), sizeof value);
    return value;
  }
};

// Walks the attributes of `bytes` the way the kernel does (rta_len, 4-byte alignment); fails the test on an
// attribute that runs past the end.
std::vector<Attribute> attributes(std::span<const std::byte> bytes) {
  std::vector<Attribute> found;
  std::size_t offset = 0;
  while (offset + sizeof(rtattr) <= bytes.size()) {
    rtattr header{};
    std::memcpy(&header, bytes.data() + offset, sizeof header);
    EXPECT_GE(header.rta_len, sizeof(rtattr));
    EXPECT_LE(offset + header.rta_len, bytes.size());
    if (header.rta_len < sizeof(rtattr) || offset + header.rta_len > bytes.size()) break;
    const auto* payload = bytes.data() + offset + RTA_LENGTH(0);
    found.push_back({header.rta_type, {payload, payload + header.rta_len - RTA_LENGTH(0)}});
    offset += RTA_ALIGN(header.rta_len);
  }
  EXPECT_EQ(offset, bytes.size()) << "trailing bytes after the last attribute";
  return found;
}

const Attribute& only(const std::vector<Attribute>& list, std::uint16_t type) {
  int count = 0;
  const Attribute* match = nullptr;
  for (const auto& attribute : list) {
    if (attribute.type == type) {
      ++count;
      match = &attribute;
    }
  }
  EXPECT_EQ(count, 1) << "attribute " << type;
  static const Attribute none;
  return match != nullptr ? *match : none;
}

nlmsghdr header_of(std::span<const std::byte> bytes) {
  nlmsghdr header{};
  std::memcpy(&header, bytes.data(), sizeof header);
  return header;
}

std::vector<std::byte> ack(std::uint32_t sequence, int error) {
  std::vector<std::byte> bytes(NLMSG_LENGTH(sizeof(nlmsgerr)));
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(bytes.size());
  header.nlmsg_type = NLMSG_ERROR;
  header.nlmsg_seq = sequence;
  nlmsgerr body{};
  body.error = error;
  std::memcpy(bytes.data(), &header, sizeof header);
  std::memcpy(bytes.data() + NLMSG_HDRLEN, &body, sizeof body);
  return bytes;
}

TEST(NetlinkMessage, HeaderCarriesTypeRequestAckAndTheWholeLength) {
  NetlinkMessage message(RTM_NEWADDR, NLM_F_CREATE);
  message.add_struct(ifaddrmsg{});
  message.add_u32(IFA_LOCAL, 0x0100'00c0);
  message.set_sequence(42);
  const auto header = header_of(message.bytes());
  EXPECT_EQ(header.nlmsg_type, RTM_NEWADDR);
  EXPECT_EQ(header.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE);
  EXPECT_EQ(header.nlmsg_seq, 42u);
  EXPECT_EQ(message.sequence(), 42u);
  EXPECT_EQ(header.nlmsg_len, message.bytes().size());
  EXPECT_EQ(message.bytes().size(), NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifaddrmsg)) + RTA_LENGTH(4));
}

TEST(NetlinkMessage, StringsAreNulTerminatedAndPaddedToFourBytes) {
  NetlinkMessage message(RTM_GETLINK, 0);
  message.add_struct(ifinfomsg{});
  message.add_string(IFLA_IFNAME, "brpeer");  // 7 bytes with NUL: padded to 8
  const auto body = message.bytes().subspan(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg)));
  ASSERT_EQ(body.size(), RTA_ALIGN(RTA_LENGTH(7)));
  const auto found = attributes(body);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].payload.size(), 7u);
  EXPECT_EQ(found[0].text(), "brpeer");
}

TEST(VethRequest, NestsKindPeerNameAndPeerNamespaceTheWayTheKernelReadsThem) {
  auto message = make_veth_request("brpeer", "brinst", 17);
  const auto bytes = message.bytes();
  const auto header = header_of(bytes);
  EXPECT_EQ(header.nlmsg_type, RTM_NEWLINK);
  EXPECT_EQ(header.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  EXPECT_EQ(header.nlmsg_len, bytes.size());

  const auto top = attributes(bytes.subspan(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(ifinfomsg))));
  EXPECT_EQ(only(top, IFLA_IFNAME).text(), "brpeer");
  const auto link_info = attributes(only(top, IFLA_LINKINFO).payload);
  EXPECT_EQ(only(link_info, IFLA_INFO_KIND).text(), "veth");
  const auto info_data = attributes(only(link_info, IFLA_INFO_DATA).payload);
  const auto& peer = only(info_data, VETH_INFO_PEER).payload;
  ASSERT_GE(peer.size(), sizeof(ifinfomsg));
  const auto peer_attributes = attributes(std::span(peer).subspan(sizeof(ifinfomsg)));
  EXPECT_EQ(only(peer_attributes, IFLA_IFNAME).text(), "brinst");
  EXPECT_EQ(only(peer_attributes, IFLA_NET_NS_FD).u32(), 17u);
}

TEST(ParseAck, ReturnsTheKernelsErrorForOurSequenceOnly) {
  EXPECT_EQ(parse_ack(ack(7, 0), 7), 0);
  EXPECT_EQ(parse_ack(ack(7, -EEXIST), 7), -EEXIST);
  EXPECT_EQ(parse_ack(ack(6, -EEXIST), 7), std::nullopt);
  auto two = ack(6, -EPERM);
  const auto second = ack(7, -ENODEV);
  two.insert(two.end(), second.begin(), second.end());
  EXPECT_EQ(parse_ack(two, 7), -ENODEV);
}

TEST(ParseAck, RefusesAMessageLongerThanTheReply) {
  auto bytes = ack(7, 0);
  bytes.resize(bytes.size() - 4);
  EXPECT_THROW(parse_ack(bytes, 7), sys::Error);
}

TEST(ParseLinkIndex, ReadsTheIndexOfTheNewlinkAnswer) {
  std::vector<std::byte> reply(NLMSG_LENGTH(sizeof(ifinfomsg)));
  nlmsghdr header{};
  header.nlmsg_len = static_cast<std::uint32_t>(reply.size());
  header.nlmsg_type = RTM_NEWLINK;
  header.nlmsg_seq = 3;
  ifinfomsg info{};
  info.ifi_index = 12;
  std::memcpy(reply.data(), &header, sizeof header);
  std::memcpy(reply.data() + NLMSG_HDRLEN, &info, sizeof info);
  const auto trailing_ack = ack(3, 0);
  reply.insert(reply.end(), trailing_ack.begin(), trailing_ack.end());
  EXPECT_EQ(parse_link_index(reply, 3), 12);
  EXPECT_EQ(parse_link_index(reply, 4), std::nullopt);
  EXPECT_EQ(parse_link_index(ack(3, -ENODEV), 3), std::nullopt);
}

TEST(InterfaceName, FifteenBytesAtMost) {
  EXPECT_NO_THROW(check_interface_name("abcdefghijklmno"));
  EXPECT_THROW(check_interface_name("abcdefghijklmnop"), sys::Error);
  EXPECT_THROW(check_interface_name(""), sys::Error);
  EXPECT_THROW(check_interface_name("a/b"), sys::Error);
}

}  // namespace
}  // namespace benchrun::runtime::net
