// What a cgroup limits and what it reports back, independent of the cgroup version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace benchrun::runtime {

// Throttle of one block device (v1 blkio.throttle.*, v2 io.max). Unset fields are left unlimited.
struct IoDeviceLimit {
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::optional<std::uint64_t> read_bps;
  std::optional<std::uint64_t> write_bps;
  std::optional<std::uint64_t> read_iops;
  std::optional<std::uint64_t> write_iops;
};

// Limits of one instance; unset = not limited (the cgroup still exists, for accounting).
struct ResourceLimits {
  std::optional<std::uint64_t> memory_bytes;
  std::optional<double> cpus;               // 0.5 = half a core (CFS quota over a 100 ms period)
  std::optional<std::uint64_t> cpu_weight;  // v2 weight 1..10000 (100 = default); shares on v1
  std::optional<std::uint64_t> pids_max;
  std::optional<std::string> cpuset_cpus;  // "0", "0-1", "0,2"
  std::vector<IoDeviceLimit> io;
  // Memory and swap together, with memory_bytes (not below it): v1 memory.memsw.limit_in_bytes, v2
  // memory.swap.max = memory_swap_bytes - memory_bytes. Needs the kernel's swap accounting (the files).
  std::optional<std::uint64_t> memory_swap_bytes;
};

// Read back from the instance's cgroup; a field is empty where this host's hierarchies lack it.
struct CgroupStats {
  std::optional<std::uint64_t> memory_current_bytes;
  std::optional<std::uint64_t> memory_peak_bytes;
  std::optional<std::uint64_t> oom_kills;
  std::optional<std::uint64_t> cpu_usage_ns;
  std::optional<std::uint64_t> nr_periods;
  std::optional<std::uint64_t> nr_throttled;
  std::optional<std::uint64_t> throttled_ns;
  std::optional<std::uint64_t> pids_current;
};

}  // namespace benchrun::runtime
