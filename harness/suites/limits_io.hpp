// The limits suite's checks that need the host's disk: the read throttle of a block device (io-read-bps,
// io-read-iops) on a loop device benchrun makes over a file on the host's disk, with an ext4 filesystem on it
// bound at /scratch in the instance; page cache under a memory limit (page-cache), written to a folder on the
// host's disk bound at /scratch (not a tmpfs: its pages would be shmem); and memory+swap (memory-swap, judged in
// limits_swap.hpp), which is not applicable on a host without swap (benchrun never turns swap on).
//
// Tolerances, and why:
// - I/O throttle: over the limit by at most 10 %, for the host's count (the cgroup's bytes or reads on the
//   device over the workload's own window) and the workload's own, which must agree within 10 %. blk-throttle
//   dispatches a bio once the time slice allows it, so over 3 s the rate passes the limit by the first slice's
//   allowance alone (measured: +1.1 %); 10 % is the cpu-quota check's margin (test_cpucg_max). Under the limit
//   the rate may fall by up to half, as a quota promises a ceiling, not a share: on this 2-CPU host at a load of
//   16 the reader got 14-21 % under it (both sides agreeing); below half nothing shows the throttle acted.
// - page cache: the kernel selftest's alloc_pagecache_max_30M writes 50M of page cache under memory.max 30M
//   and wants memory.current values_close to 30M with err 5 (|a - b| <= (a + b) * 5 / 100, i.e. 10 % of
//   their mean: values_close(a, b, 0.10) here); the high-water mark must not pass the limit (exact: the page
//   counter refuses a charge over it) and the writer must not be OOM-killed (file pages are reclaimed).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/suites/limits_checks.hpp"
#include "harness/suites/limits_swap.hpp"  // memory-swap, appended by append_io_limit_checks

namespace benchrun::harness {

// mkfs.ext4 -q -F on `file` (a regular file), every inode table and the journal written now (not by
// ext4lazyinit later); throws naming e2fsprogs when there is no mkfs.ext4. Also formats vm+container's scratch
// disk (limits_vm_io.hpp).
void run_mkfs(const std::filesystem::path& file);

// The checks of this file, appended to limit_checks().
void append_io_limit_checks(std::vector<LimitCheck>& checks);

// Writes `bytes` (whole MiB) of a repeating a..z pattern to a new file at `path` and fsyncs it: the data the I/O
// checks read, on a loop device's ext4 (here) or as a guest's raw disk (limits_vm_io.cpp). Written, not
// fallocated: unwritten extents read as zeros without any I/O on the host.
void write_pattern_file(const std::filesystem::path& path, std::uint64_t bytes);

// The read-rate checks' judgement, shared with the vm backend's (limits_vm_io.cpp). A rate passes up to 10 %
// over its limit (values_close); under half of it, it fails too: a reader that got less shows nothing of the
// throttle (the host was too busy to issue the reads, or the device too slow), so the ceiling it kept would
// prove nothing. Measured under a load of 16 on this 2-CPU host: 14 to 21 % under the limit, host and reader
// agreeing to the byte.
inline constexpr double io_tolerance = 0.10;
inline constexpr double io_floor_share = 0.5;
enum class IoRate { bytes, reads };
// Why `rate` is off `limit`: over it by more than the tolerance, or under the floor; nullopt when neither.
std::optional<std::string> io_rate_off_the_limit(double rate, double limit);

std::vector<reports::Verdict> judge_io_read_bps(const LimitCheck& check, const Observation& seen);
std::vector<reports::Verdict> judge_io_read_iops(const LimitCheck& check, const Observation& seen);
std::vector<reports::Verdict> judge_page_cache(const LimitCheck& check, const Observation& seen);

// The host's side, parsed from the cgroup files (exposed for tests). v1: blkio.throttle.io_service_bytes
// ("7:3 Read 4096" lines) and io_serviced into read_bytes / reads; read_bps_device and read_iops_device
// ("7:3 8388608") into the limits. v2: io.stat ("7:3 rbytes=.. rios=..") and io.max ("7:3 rbps=.. riops=..").
void parse_blkio_v1_counts(std::string_view text, bool bytes, std::map<std::string, IoDeviceView>& devices);
void parse_blkio_v1_limits(std::string_view text, bool bps, std::map<std::string, IoDeviceView>& devices);
void parse_io_stat_v2(std::string_view text, std::map<std::string, IoDeviceView>& devices);
void parse_io_max_v2(std::string_view text, std::map<std::string, IoDeviceView>& devices);

// Fills view.io_devices and view.memory_usage_bytes from the v1 blkio and memory directories (either may be
// absent) or from the v2 directory.
void read_io_host_view_v1(const std::optional<std::filesystem::path>& blkio,
                          const std::optional<std::filesystem::path>& memory, HostView& view);
void read_io_host_view_v2(const std::filesystem::path& dir, HostView& view);

}  // namespace benchrun::harness
