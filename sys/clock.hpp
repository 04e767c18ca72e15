// The one clock of every measurement: CLOCK_MONOTONIC in nanoseconds, the same in the host, in every
// container (no time namespace is used) and comparable across processes.
#pragma once

#include <sys/time.h>
#include <cstdint>

#include <ctime>

namespace benchrun::sys {

using MonotonicNs = std::int64_t;

inline MonotonicNs monotonic_now() noexcept {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<MonotonicNs>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// A duration from rusage (timeval) in nanoseconds.
inline std::uint64_t to_ns(const timeval& duration) noexcept {
  return static_cast<std::uint64_t>(duration.tv_sec) * 1'000'000'000 +
         static_cast<std::uint64_t>(duration.tv_usec) * 1'000;
}

}  // namespace benchrun::sys
