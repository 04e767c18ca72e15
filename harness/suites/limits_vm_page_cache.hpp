// The limits suite's page-cache check on the vm backend. A guest's memory limit is its RAM (256 MiB, as the
// memory check's, limits_vm.hpp), and its page cache lives in that RAM: the guest kernel must reclaim it to take
// more, where a container's memory cgroup reclaims its own (limits_io.hpp).
//
// The sizes below are for 256 MiB; a guest whose image needs more RAM to boot gets that RAM and writes twice it
// (VmPageCacheGuest).
//
// The guest gets a scratch virtio disk (a sparse raw file under --scratch-dir, sized for the write: holes cost
// the host's disk nothing until QEMU writes them; cache='none' io='native', so the host's page cache holds none of
// it and QEMU's RSS is the guest's pages alone). cachefill writes twice the RAM (512 MiB) to /dev/vda itself, the
// raw disk, without O_DIRECT: a block device's writes go through the guest's page cache as a file's do (the
// block device's own mapping), with no filesystem to make or mount in the guest. Judged from both sides:
//
// - page_cache.writer_finished: the writer wrote all 512 MiB and exited 0 (page cache is reclaimable: an OOM kill
//   or a failed write fails the check); libvirt reads the guest's RAM back as 256 MiB; and QEMU's write counters
//   of the disk (virDomainBlockStats wr_bytes, polled while the guest runs) show the data reached the disk: at
//   least what the guest's RAM could not have held, the write less the RAM (the rest may still be dirty, or
//   written after the last poll, when the guest shuts down).
// - page_cache.qemu_peak_within_limit: QEMU's peak RSS stays within the RAM + QEMU's copy of the initramfs + 192 MiB
//   for QEMU itself, the memory check's allowance (judge_vm_memory): the guest's page cache did not grow QEMU
//   past its RAM.
//
// --limits-off page-cache gives the guest RAM for all of it (the RAM + the write): the guest then keeps the write
// cached, every page of it a page of QEMU's RSS, so QEMU's peak passes the allowance and both verdicts fail (the
// second by that peak, the first by the RAM libvirt reads back).
#pragma once

#include <filesystem>
#include <vector>

#include "harness/suites/limits_vm.hpp"

namespace benchrun::harness {

// The check's guest: its RAM (its limit) and QEMU's ceiling as the memory check's (VmGuestMemory: 256 MiB, or
// what the image needs to boot), what the writer writes (twice the RAM) and the RAM without the limit (room for
// the whole write beside what the image needs).
struct VmPageCacheGuest : VmGuestMemory {
  std::uint64_t write_mib = 2 * vm_memory_limit_mib;
  std::uint64_t unlimited_ram_mib = vm_memory_limit_mib + 2 * vm_memory_limit_mib;
  // The scratch disk holds the write with room to spare (a write past its end would fail with ENOSPC and judge
  // nothing).
  [[nodiscard]] std::uint64_t disk_bytes() const { return (write_mib + 64) << 20; }
};
// `initramfs_bytes`: the image's (the vm backend's details() "initramfs_bytes"; 0: unknown).
VmPageCacheGuest vm_page_cache_guest(std::uint64_t initramfs_bytes);

// Runs page-cache in a guest of `backend` (kind vm) with a sparse scratch disk under `scratch_root`, and judges it.
// `limit_off`: the guest gets RAM for the whole write.
StepResult measure_vm_page_cache(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off,
                                 const std::filesystem::path& scratch_root);

// The judgement, exposed for tests: `guest` is the check's guest with its limit; `seen.host` holds the
// vm/tunables_view.hpp keys (RAM, QEMU's peak RSS, vda's write counters), `seen.workload` cachefill's report.
std::vector<reports::Verdict> judge_vm_page_cache(const LimitCheck& check, const VmPageCacheGuest& guest,
                                                  const VmObservation& seen);

}  // namespace benchrun::harness
