#include "runtime/net/net_namespace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <exception>
#include <thread>

namespace benchrun::runtime::net {

NetNamespace NetNamespace::create() {
  NetNamespace ns;
  std::exception_ptr failure;
  // The thread ends in the new namespace; nothing else of benchrun ever enters it by accident.
  std::thread thread([&] {
    try {
      if (::unshare(CLONE_NEWNET) != 0) sys::throw_errno("unshare(CLONE_NEWNET) (needs root)");
      ns.fd_.reset(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
      if (!ns.fd_) sys::throw_errno("open /proc/thread-self/ns/net");
      ns.rtnl_ = RtnlSocket::open();
      ns.rtnl_.set_link_up(ns.rtnl_.link_index("lo"));
    } catch (...) {
      failure = std::current_exception();
    }
  });
  thread.join();
  if (failure) std::rethrow_exception(failure);
  return ns;
}

std::string NetNamespace::path() const { return fmt::format("/proc/{}/fd/{}", ::getpid(), fd_.get()); }

unsigned long long NetNamespace::inode() const {
  struct stat status {};
  if (::fstat(fd_.get(), &status) != 0) sys::throw_errno("fstat a network namespace");
  return status.st_ino;
}

void NetNamespace::configure_link(std::string_view name, std::string_view address, int prefix_length) {
  const int index = rtnl_.link_index(name);
  rtnl_.add_ipv4_address(index, address, prefix_length);
  rtnl_.set_link_up(index);
}

}  // namespace benchrun::runtime::net
