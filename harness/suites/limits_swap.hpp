// The limits suite's memory+swap check (memory-swap): a hog of 128 MiB under a memory limit of 32 MiB and a
// memory+swap limit of 64 MiB (32 MiB of swap). With swap the hog's pages past the memory limit go to swap
// until the swap part is full too; then the OOM killer takes it. Hosts without swap cannot run it (benchrun
// never turns swap on a host): the check says "not applicable" there. Guests can have swap: on vm+container
// the guest gets a zram swap device (benchrun.swap=, in_guest_suite.hpp) and the guest's benchrun judges it.
//
// Judged from both sides, exactly (page counters refuse a charge over their limit, as for memory):
// - the workload's: oomprobe's hog child was killed by SIGKILL (hog_signal 9), and the cgroup counted one OOM kill;
// - the host's: the limits read back (v1 memory.memsw.limit_in_bytes; v2 memory.max + memory.swap.max) and swap
//   pushed to its limit: v1's memsw high-water (memory.memsw.max_usage_in_bytes) above the memory limit (pages
//   went to swap) and not above the memory+swap limit, with memory.memsw.failcnt > 0; v2 (6.1 has no
//   memory.swap.peak) memory.swap.events max > 0 (the kernel refused a swap charge at memory.swap.max) and
//   memory.peak not above memory.max.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/suites/limits_checks.hpp"

namespace benchrun::harness {

// The check's entry of limit_checks() (limits_io.cpp appends it where memory-swap always was).
LimitCheck memory_swap_check();

// The swap a vm+container guest gets for a case with a memory+swap limit: twice the swap part of the limit, so
// the cgroup's limit and not the device is what fills first; nullopt for a case without one.
std::optional<std::uint64_t> guest_swap_for(const reports::Limits& limits);

std::vector<reports::Verdict> judge_memory_swap(const LimitCheck& check, const Observation& seen);

// Why memory+swap cannot be judged here, given /proc/swaps' text: nullopt when a swap area is listed.
std::optional<std::string> memory_swap_not_applicable(std::string_view proc_swaps);

// Fills view's memory+swap fields from the v1 memory directory or the v2 directory.
void read_swap_host_view_v1(const std::filesystem::path& memory, HostView& view);
void read_swap_host_view_v2(const std::filesystem::path& dir, HostView& view);

}  // namespace benchrun::harness
