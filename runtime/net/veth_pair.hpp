// A veth pair between two namespaces benchrun made: one end in each. Deleting either end deletes both, and
// so does the end of either namespace; the destructor deletes it at once so a step leaves nothing behind
// even while its namespaces are still held.
#pragma once

#include <string>

#include "runtime/net/net_namespace.hpp"

namespace benchrun::runtime::net {

class VethPair {
 public:
  // Creates `first_name` in `first` with its peer `second_name` in `second` (names: at most 15 bytes).
  // Both must outlive the pair. Throws SystemError (EEXIST: a link of that name is there already).
  static VethPair create(NetNamespace& first, const std::string& first_name, NetNamespace& second,
                         const std::string& second_name);

  VethPair(VethPair&& other) noexcept;
  VethPair& operator=(VethPair&& other) noexcept;
  VethPair(const VethPair&) = delete;
  VethPair& operator=(const VethPair&) = delete;
  ~VethPair();

  // Deletes the pair; idempotent. Throws SystemError.
  void remove();

 private:
  VethPair() = default;
  NetNamespace* first_ = nullptr;
  std::string first_name_;
};

// The netlink request that creates the pair (unit-tested byte by byte).
NetlinkMessage make_veth_request(const std::string& first_name, const std::string& second_name, int second_ns_fd);

// Interface names are IFNAMSIZ - 1 = 15 bytes at most; throws Error naming the limit otherwise.
void check_interface_name(const std::string& name);

}  // namespace benchrun::runtime::net
