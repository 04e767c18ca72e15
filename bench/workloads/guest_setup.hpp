// What benchinit does only as PID 1 of a guest, for images that host things (containers inside a guest,
// results copied out): load the image's kernel modules, mount the cgroup layout the kernel command line asks
// for, make the root pivot_root-able, and stream /results to the host through a virtio-serial port.
//
// Every step is asked for by the image (/etc/benchrun/modules, /images) or the kernel command line
// (benchrun.cgroup=v2|v1|hybrid, benchrun.results=<port name>, benchrun.net=<address>/<prefix>: guest_network.hpp);
// without them nothing is done beyond one failed open and one read of /proc/cmdline. A failed step is one line on the
// console ("benchinit: ...") and never keeps the workload from running.
//
// Static, libc only, like benchinit (the network step excepted: guest_network.hpp).
#pragma once

namespace benchinit {

struct GuestSetup {
  // The virtio-serial port (its /sys/class/virtio-ports/*/name) that gets /results as a tar; empty: none.
  char results_port[64] = {};
};

// Before the workload; /proc, /sys and /dev are mounted already.
GuestSetup prepare_guest();

// After the workload and everything it left were reaped: /results as one uncompressed tar stream
// (busybox tar, "./..." names) to the results port, then sync. Does nothing without a results port.
void deliver_results(const GuestSetup& setup);

}  // namespace benchinit
