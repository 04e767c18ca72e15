// benchrun-qemu-system-x86_64: the emulator libvirt starts for benchrun's guests. It stamps CLOCK_MONOTONIC
// on stderr, which libvirt's embedded driver appends to the domain's log file, then execs the real QEMU
// with the same arguments in the same process. The host reads the stamp back as the guest's `qemu_exec`
// phase: the moment QEMU started, exact to the nanosecond clock, where /proc/<pid>/stat's start time has
// only clock-tick (10 ms) resolution and often lands before moments the host stamped earlier.
//
// Static and libc only: libvirt runs it as the QEMU user, for every guest and every capability probe.
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "vm/qemu_wrapper/qemu_exec_stamp.hpp"

int main(int /*argc*/, char** argv) {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long monotonic_ns = static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec;
  char line[128];
  const int length = std::snprintf(line, sizeof line, "%s%lld\n", benchrun::vm::qemu_exec_stamp_prefix, monotonic_ns);
  // One write: the line never interleaves with QEMU's own output. Nothing to do if it fails: the host
  // then leaves the phase out.
  if (length > 0 && write(STDERR_FILENO, line, static_cast<size_t>(length)) < 0) {
  }
  argv[0] = const_cast<char*>(BENCHRUN_QEMU_BINARY);
  execv(BENCHRUN_QEMU_BINARY, argv);
  std::fprintf(stderr, "benchrun-qemu-system-x86_64: exec %s: %s\n", BENCHRUN_QEMU_BINARY, std::strerror(errno));
  return 127;
}
