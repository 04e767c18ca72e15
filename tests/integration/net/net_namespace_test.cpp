// runtime/net against the real kernel: a namespace pair joined by a veth carries TCP between them, and every
// namespace and link is gone after the handles (or the process holding them) are.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "runtime/net/net_namespace.hpp"
#include "runtime/net/veth_pair.hpp"
#include "sys/error.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::runtime::net {
namespace {

namespace fs = std::filesystem;

unsigned long long inode_of(const std::string& path) {
  struct stat status {};
  return ::stat(path.c_str(), &status) == 0 ? status.st_ino : 0;
}

// Every network namespace inode some process on this machine is in or holds an fd of.
std::set<unsigned long long> live_network_namespaces() {
  std::set<unsigned long long> found;
  std::error_code error;
  for (const auto& process : fs::directory_iterator("/proc", error)) {
    const std::string name = process.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (const auto inode = inode_of(process.path() / "ns/net")) found.insert(inode);
    std::error_code fd_error;
    for (const auto& fd : fs::directory_iterator(process.path() / "fd", fd_error)) {
      std::error_code link_error;
      const auto target = fs::read_symlink(fd.path(), link_error);
      if (!link_error && target.string().starts_with("net:[")) {
        if (const auto inode = inode_of(fd.path())) found.insert(inode);
      }
    }
  }
  return found;
}

unsigned long long own_network_namespace() { return inode_of("/proc/self/ns/net"); }

struct Pair {
  NetNamespace peer = NetNamespace::create();
  NetNamespace instance = NetNamespace::create();
  VethPair veth = VethPair::create(peer, "brpeer", instance, "brinst");
  Pair() {
    peer.configure_link("brpeer", "192.0.2.1", 30);
    instance.configure_link("brinst", "192.0.2.2", 30);
  }
};

sys::UniqueFd tcp_socket() {
  sys::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) sys::throw_errno("socket");
  const timeval timeout{5, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  return fd;
}

sockaddr_in address(const char* text, int port) {
  sockaddr_in where{};
  where.sin_family = AF_INET;
  where.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, text, &where.sin_addr);
  return where;
}

TEST(NetNamespace, IsANewNamespaceWithLoUpAndAPathOthersCanOpen) {
  const NetNamespace ns = NetNamespace::create();
  EXPECT_NE(ns.inode(), own_network_namespace());
  EXPECT_EQ(inode_of(ns.path()), ns.inode());
  EXPECT_EQ(own_network_namespace(), inode_of("/proc/self/ns/net")) << "benchrun's own thread never moved";
  // lo is up: a socket in the namespace can bind and connect on 127.0.0.1.
  const bool loopback_works = run_in_namespace(ns, [] {
    auto listener = tcp_socket();
    auto local = address("127.0.0.1", 7301);
    if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return false;
    if (::listen(listener.get(), 1) != 0) return false;
    auto client = tcp_socket();
    return ::connect(client.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) == 0;
  });
  EXPECT_TRUE(loopback_works);
}

TEST(NetNamespace, IsGoneOnceItsHandleIs) {
  unsigned long long inode = 0;
  {
    const NetNamespace ns = NetNamespace::create();
    inode = ns.inode();
    EXPECT_TRUE(live_network_namespaces().contains(inode));
  }
  EXPECT_FALSE(live_network_namespaces().contains(inode));
}

TEST(VethPair, CarriesTcpBetweenTheTwoNamespaces) {
  Pair pair;
  // Sockets belong to the namespace they were made in: made on threads that joined them, used from here.
  auto listener = run_in_namespace(pair.peer, [] {
    auto fd = tcp_socket();
    auto local = address("192.0.2.1", 7302);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) sys::throw_errno("bind");
    if (::listen(fd.get(), 1) != 0) sys::throw_errno("listen");
    return fd;
  });
  auto client = run_in_namespace(pair.instance, [] { return tcp_socket(); });
  auto peer = address("192.0.2.1", 7302);
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&peer), sizeof peer), 0) << std::strerror(errno);
  const sys::UniqueFd accepted(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(accepted.valid());
  ASSERT_EQ(::send(client.get(), "x", 1, MSG_NOSIGNAL), 1);
  char got = 0;
  ASSERT_EQ(::recv(accepted.get(), &got, 1, 0), 1);
  EXPECT_EQ(got, 'x');
}

TEST(VethPair, RemoveDeletesBothEnds) {
  Pair pair;
  EXPECT_GT(pair.instance.rtnl().link_index("brinst"), 0);
  pair.veth.remove();
  try {
    pair.instance.rtnl().link_index("brinst");
    ADD_FAILURE() << "brinst survived its pair";
  } catch (const sys::SystemError& error) {
    EXPECT_EQ(error.code(), ENODEV) << error.what();
  }
  EXPECT_THROW(pair.peer.rtnl().link_index("brpeer"), sys::SystemError);
  pair.veth.remove();  // idempotent
}

TEST(VethPair, ASecondPairOfTheSameNameIsRefusedWithEexist) {
  Pair pair;
  try {
    auto second = VethPair::create(pair.peer, "brpeer", pair.instance, "brinst2");
    ADD_FAILURE() << "a second brpeer was made";
  } catch (const sys::SystemError& error) {
    EXPECT_EQ(error.code(), EEXIST) << error.what();
  }
}

TEST(VethPair, ANameLongerThanFifteenBytesIsRefusedBeforeTheKernelSeesIt) {
  NetNamespace first = NetNamespace::create();
  NetNamespace second = NetNamespace::create();
  EXPECT_THROW(VethPair::create(first, "benchrun-peer-0001", second, "b"), sys::Error);
}

// A process killed while it holds namespaces and a veth leaves nothing: the kernel removes a namespace with
// its last holder and its veth with it. (benchrun's own run of this is in the harness tests.)
TEST(NetNamespace, NothingOutlivesAHolderKilledWithSigkill) {
  int report[2];
  ASSERT_EQ(::pipe2(report, O_CLOEXEC), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      Pair pair;
      const unsigned long long inodes[2] = {pair.peer.inode(), pair.instance.inode()};
      if (::write(report[1], inodes, sizeof inodes) != sizeof inodes) ::_exit(1);
      ::pause();
    } catch (...) {
    }
    ::_exit(1);
  }
  ::close(report[1]);
  unsigned long long inodes[2] = {0, 0};
  ASSERT_EQ(::read(report[0], inodes, sizeof inodes), static_cast<ssize_t>(sizeof inodes));
  ::close(report[0]);
  EXPECT_TRUE(live_network_namespaces().contains(inodes[0]));
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  const auto live = live_network_namespaces();
  EXPECT_FALSE(live.contains(inodes[0]));
  EXPECT_FALSE(live.contains(inodes[1]));
}

}  // namespace
}  // namespace benchrun::runtime::net
