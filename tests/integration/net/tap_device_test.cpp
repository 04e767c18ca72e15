// runtime/net/tap_device against the real kernel: a tap made inside a namespace of ours is there and only
// there, a process that opens it by name from inside (as libvirt does for a guest) gets the frames the
// namespace's stack sends to it, and it is gone after its handle, or with its namespace.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <array>
#include <cstring>
#include <filesystem>
#include <string>

#include "runtime/net/net_namespace.hpp"
#include "runtime/net/tap_device.hpp"
#include "sys/error.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::runtime::net {
namespace {

constexpr char tap_name[] = "brtap";

bool has_link(NetNamespace& ns, const std::string& name) {
  try {
    ns.rtnl().link_index(name);
    return true;
  } catch (const sys::SystemError& error) {
    if (error.code() == ENODEV) return false;
    throw;
  }
}

// The host's namespace: the test's own thread never moves.
bool host_has_link(const std::string& name) { return ::if_nametoindex(name.c_str()) != 0; }

// What libvirt does for <interface type='ethernet'><target dev=... managed='no'/>: open /dev/net/tun and
// attach to the existing tap by name, from a thread inside the namespace.
sys::UniqueFd attach(NetNamespace& ns, const std::string& name) {
  return run_in_namespace(ns, [&] {
    sys::UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK));
    if (!fd) sys::throw_errno("open /dev/net/tun");
    ifreq request{};
    std::memcpy(request.ifr_name, name.data(), name.size());
    request.ifr_flags = tap_flags();
    if (::ioctl(fd.get(), TUNSETIFF, &request) != 0) sys::throw_errno("TUNSETIFF attach");
    return fd;
  });
}

TEST(TapDevice, IsMadeInsideTheNamespaceAndNeverInTheHosts) {
  NetNamespace ns = NetNamespace::create();
  ASSERT_FALSE(host_has_link(tap_name)) << "a brtap in the host's namespace before the test: not ours";
  TapDevice tap = TapDevice::create(ns, tap_name);
  EXPECT_TRUE(has_link(ns, tap_name));
  EXPECT_FALSE(host_has_link(tap_name));
  EXPECT_EQ(tap.name(), tap_name);
}

TEST(TapDevice, AProcessThatOpensItByNameInsideGetsTheFramesTheNamespaceSendsToIt) {
  NetNamespace ns = NetNamespace::create();
  TapDevice tap = TapDevice::create(ns, tap_name);
  ns.configure_link(tap_name, "192.0.2.1", 30);
  const sys::UniqueFd queue = attach(ns, tap_name);
  // A datagram to the guest's address makes the namespace's stack ask who has 192.0.2.2 on the tap.
  run_in_namespace(ns, [] {
    const sys::UniqueFd udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in guest{};
    guest.sin_family = AF_INET;
    guest.sin_port = htons(7303);
    ::inet_pton(AF_INET, "192.0.2.2", &guest.sin_addr);
    if (::sendto(udp.get(), "x", 1, 0, reinterpret_cast<sockaddr*>(&guest), sizeof guest) != 1) {
      sys::throw_errno("sendto 192.0.2.2");
    }
  });
  // The link coming up also sends IPv6 frames (router solicitation, MLD) that may arrive first: read frames,
  // a bounded number, until the ARP request shows.
  bool saw_arp = false;
  for (int frames = 0; frames < 32 && !saw_arp; ++frames) {
    pollfd readable{queue.get(), POLLIN, 0};
    ASSERT_EQ(::poll(&readable, 1, 5000), 1) << "no ARP request on the tap within 5 s of the last frame";
    std::array<unsigned char, 2048> frame{};
    const ssize_t got = ::read(queue.get(), frame.data(), frame.size());
    // virtio_net_hdr (10 bytes, IFF_VNET_HDR) + Ethernet header (14).
    ASSERT_GE(got, 10 + 14);
    const unsigned char* ethernet = frame.data() + 10;
    // ARP's EtherType is 0x0806; its payload is 28 bytes.
    saw_arp = ethernet[12] == 0x08 && ethernet[13] == 0x06 && got >= 10 + 14 + 28;
  }
  EXPECT_TRUE(saw_arp) << "32 frames on the tap and none of them the ARP request for the guest's address";
}

TEST(TapDevice, RemoveDeletesItAndIsIdempotent) {
  NetNamespace ns = NetNamespace::create();
  TapDevice tap = TapDevice::create(ns, tap_name);
  tap.remove();
  EXPECT_FALSE(has_link(ns, tap_name));
  tap.remove();
}

TEST(TapDevice, TheDestructorDeletesItWhileTheNamespaceLivesOn) {
  NetNamespace ns = NetNamespace::create();
  { const TapDevice tap = TapDevice::create(ns, tap_name); }
  EXPECT_FALSE(has_link(ns, tap_name));
}

TEST(TapDevice, ASecondTapOfTheSameNameIsRefusedAndANameTooLongBeforeTheKernelSeesIt) {
  NetNamespace ns = NetNamespace::create();
  const TapDevice tap = TapDevice::create(ns, tap_name);
  try {
    const TapDevice second = TapDevice::create(ns, tap_name);
    ADD_FAILURE() << "a second TapDevice owns the same brtap";
  } catch (const sys::SystemError& error) {
    EXPECT_EQ(error.code(), EBUSY) << error.what();
  }
  EXPECT_TRUE(has_link(ns, tap_name)) << "the refused second one must not delete the first";
  EXPECT_THROW(TapDevice::create(ns, "benchrun-tap-00001"), sys::Error);
}

// A killed holder leaves nothing: its namespace ends with it, and the tap (even held open by another process,
// as a killed run's QEMU would) goes with the namespace, never to the host's.
TEST(TapDevice, GoesWithItsNamespaceWhenTheHolderIsKilled) {
  int report[2];
  ASSERT_EQ(::pipe2(report, O_CLOEXEC), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      NetNamespace ns = NetNamespace::create();
      TapDevice tap = TapDevice::create(ns, tap_name);
      const unsigned long long inode = ns.inode();
      if (::write(report[1], &inode, sizeof inode) != sizeof inode) ::_exit(1);
      ::pause();
    } catch (...) {
    }
    ::_exit(1);
  }
  ::close(report[1]);
  unsigned long long inode = 0;
  ASSERT_EQ(::read(report[0], &inode, sizeof inode), static_cast<ssize_t>(sizeof inode));
  ::close(report[0]);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_FALSE(host_has_link(tap_name));
  // The namespace is gone: no process is in it or holds it.
  bool found = false;
  std::error_code error;
  for (const auto& process : std::filesystem::directory_iterator("/proc", error)) {
    struct stat ns_status {};
    if (::stat((process.path() / "ns/net").c_str(), &ns_status) == 0 && ns_status.st_ino == inode) found = true;
  }
  EXPECT_FALSE(found);
}

}  // namespace
}  // namespace benchrun::runtime::net
