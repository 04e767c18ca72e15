// benchinit's network step as PID 1 of a guest: benchrun.net=<IPv4 address>/<prefix> on the kernel command
// line gives the guest's NIC (a virtio NIC on a tap in a network namespace of benchrun's, vm::GuestNic) that
// address and sets it up, before the workload runs (the network cases: netclient to netpeer).
//
// The one part of benchinit that is not libc only: it speaks rtnetlink through runtime/net/netlink.cpp, the
// host's own code (compiled into benchinit with fmt header-only), so each netlink primitive has one place. It
// runs only when the parameter is there; no other boot pays for it.
#pragma once

#include <cstddef>

namespace benchinit {

// Gives `address_with_prefix` ("192.0.2.2/30") to the guest's first network interface other than lo (there
// is one: the virtio NIC, eth0) and sets it up. False with one line in `error` when it could not.
bool configure_guest_network(const char* address_with_prefix, char* error, std::size_t capacity);

}  // namespace benchinit
