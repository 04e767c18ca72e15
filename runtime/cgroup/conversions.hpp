// Pure conversions between what a user asks for and what cgroupfs files take, and parsers of the
// "key value" files cgroupfs answers with. No I/O: unit-tested directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/cgroup/resources.hpp"

namespace benchrun::runtime {

struct CpuQuota {
  std::uint64_t quota_us;
  std::uint64_t period_us;
};

inline constexpr std::uint64_t default_cpu_period_us = 100'000;  // the kernel's and Docker's default

// 0.5 cpus -> {50000, 100000}. Throws Error for cpus <= 0 or a quota under the kernel's 1 ms minimum.
CpuQuota cpus_to_quota(double cpus, std::uint64_t period_us = default_cpu_period_us);

// v1 cpu.shares (2..262144) <-> v2 cpu.weight (1..10000), the mapping crun and systemd use, so that
// 1024 shares (the v1 default) <-> weight 39 and the ranges' ends meet.
std::uint64_t shares_to_weight(std::uint64_t shares);
std::uint64_t weight_to_shares(std::uint64_t weight);

// limits.memory_swap_bytes, checked against limits.memory_bytes: throws Error (naming the fix) without a memory
// limit or when below it, as the kernel's v1 refuses a memsw limit under the memory one.
std::uint64_t memory_swap_limit(const ResourceLimits& limits);

// v2 io.max line: "8:0 rbps=1048576 wiops=100"; only the limits that are set.
std::string io_max_line(const IoDeviceLimit& limit);

// The number after `key` in a flat-keyed file ("oom_kill 3\nunder_oom 0\n"); nullopt if absent.
std::optional<std::uint64_t> find_keyed_value(std::string_view content, std::string_view key);

// A file holding one number ("123\n"); "max" reads as nullopt. Throws Error on anything else.
std::optional<std::uint64_t> parse_single_value(std::string_view content);

}  // namespace benchrun::runtime
