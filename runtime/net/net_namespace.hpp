// A network namespace benchrun made, held by a file descriptor and nothing else: no name under /run/netns,
// no bind mount, so it cannot outlive its holders. It goes when this handle and every process in it are
// gone (a killed benchrun's namespaces go with it; the kernel then deletes their veth pairs), which is what
// makes the network plumbing leak-free on SIGKILL without a sweep of its own.
#pragma once

#include <sched.h>

#include <string>
#include <string_view>
#include <utility>

#include "runtime/net/netlink.hpp"
#include "sys/error.hpp"
#include "sys/namespace_thread.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::runtime::net {

class NetNamespace {
 public:
  // A new namespace with lo up. Made on a short-lived thread (unshare(CLONE_NEWNET) changes only the
  // calling thread), which opens the namespace's fd and its netlink socket before it ends. Throws
  // SystemError (EPERM: not root).
  static NetNamespace create();

  NetNamespace(NetNamespace&&) noexcept = default;
  NetNamespace& operator=(NetNamespace&&) noexcept = default;
  NetNamespace(const NetNamespace&) = delete;
  NetNamespace& operator=(const NetNamespace&) = delete;
  ~NetNamespace() = default;  // closing the fd drops our hold; the kernel removes it with its last holder

  [[nodiscard]] int fd() const noexcept { return fd_.get(); }
  // A path another process can open to join it while we hold it: /proc/<our pid>/fd/<fd> (what an OCI
  // config's linux.namespaces[].path takes).
  [[nodiscard]] std::string path() const;
  // The namespace's inode, e.g. to tell whether a process is in it (/proc/<pid>/ns/net).
  [[nodiscard]] unsigned long long inode() const;
  RtnlSocket& rtnl() noexcept { return rtnl_; }

  // Gives interface `name` (already in this namespace) an IPv4 address and sets it up.
  void configure_link(std::string_view name, std::string_view address, int prefix_length);

 private:
  NetNamespace() = default;
  sys::UniqueFd fd_;
  RtnlSocket rtnl_;
};

// Runs `body` on a thread that joined `ns` (setns changes only the calling thread): a process spawned
// there starts in the namespace. Returns what `body` returns; rethrows what it throws.
template <typename Body>
auto run_in_namespace(const NetNamespace& ns, Body&& body) -> decltype(body()) {
  return sys::run_in_namespace_thread(ns.fd(), CLONE_NEWNET, "setns into a benchrun network namespace",
                                      std::forward<Body>(body));
}

}  // namespace benchrun::runtime::net
