// How the container's init reports, before exec, what it did and what went wrong. It runs in a
// fork-like copy of a possibly multi-threaded parent, so nothing here allocates: fixed buffers only.
#pragma once

#include <climits>
#include <cstdint>

#include "sys/clock.hpp"

namespace benchrun::runtime::kernel {

// What failed, as "mount overlay on /run/benchrun/x/merged", and the errno it failed with.
struct ChildFailure {
  int errno_value = 0;
  char what[384] = {};
};

// Records printf-style `what` with the current errno. Returns false, for `return fail(...)`.
bool fail(ChildFailure& failure, const char* format, ...) noexcept __attribute__((format(printf, 2, 3)));

// One record on the report pipe. The init writes a kPhases record just before execve; a kFailure record
// if a step (or execve itself) fails. EOF after kPhases = the workload runs. Under PIPE_BUF, so each
// write is atomic.
struct ChildReport {
  enum Kind : std::int32_t { kPhases = 1, kFailure = 2 };
  std::int32_t kind = 0;
  std::int32_t errno_value = 0;
  sys::MonotonicNs cloned = 0;
  sys::MonotonicNs cgroup_ready = 0;
  sys::MonotonicNs mounts_done = 0;
  sys::MonotonicNs exec = 0;
  char what[384] = {};
};
static_assert(sizeof(ChildReport) <= PIPE_BUF);

}  // namespace benchrun::runtime::kernel
