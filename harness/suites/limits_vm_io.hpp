// The limits suite's read throttle (io-read-bps, io-read-iops) on the vm backend: the guest gets a scratch
// virtio disk (a raw file of 64 MiB under --scratch-dir, the size of the container checks' loop device, written
// through so every read reaches the host's disk; cache='none' io='native'), whose <iotune> carries the check's
// limit: read_bytes_sec 8 MiB/s or read_iops_sec 200, the container checks' limits. In the guest, ioprobe reads
// /dev/vda with O_DIRECT (128 KiB or 4 KiB at a time, 3 s) and reports its own bytes/s and IOPS. The host reads,
// independently and while the guest runs (vm/tunables_view.hpp): libvirt's read-back of the disk's block tune
// (virDomainGetBlockIoTune) and QEMU's read counters of the disk (virDomainBlockStats rd_bytes, rd_req, polled
// every 20 ms), over the stretch the disk was read on the host's clock.
//
// Tolerances, and why (the container checks', limits_io.hpp): over the limit by at most 10 % (the cpu-quota
// check's margin, test_cpucg_max), under it by at most half (a throttle promises a ceiling, not a share; below
// half nothing shows the throttle acted: the guest could not issue the reads), and the host's rate and the
// reader's within 10 % of each other. QEMU throttles with a leaky bucket that lets a burst through before it
// holds requests back: with no *_max (benchrun sets none) the bucket holds a tenth of a second's worth of the
// rate (QEMU's throttle_fix_bucket: max = avg / 10), and a request is let in while the bucket is under that,
// so one more request passes. Over the reader's 3 s that is at most 0.8 MiB + 128 KiB of 24 MiB (+3.9 %) or
// 20 + 1 of 600 reads (+3.5 %): within the 10 %, so the reader's own rate is judged over its whole run. The
// host's rate leaves the first second of the stretch out (the burst is spent there), so it shows the bucket's
// leak rate alone: the limit itself. Setting *_max to the limit instead would let a whole second's worth
// through (burst_length 1 s at max), a third of the run.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/suites/limits_vm.hpp"

namespace benchrun::harness {

// The guest's scratch disk: 64 MiB, the container checks' loop device.
inline constexpr std::uint64_t vm_io_disk_bytes = 64ULL << 20;
// Where the guest sees it (virtio_blk: image "guest" loads it, the default image does not).
inline constexpr const char* vm_io_disk_path = "/dev/vda";

// vm+container's scratch disk for the checks the guest's benchrun prepares on a disk (io-read-bps, io-read-iops,
// page-cache: a 64 MiB loop file, 16 MiB read, 50 MiB of page cache) with room to spare.
inline constexpr std::uint64_t guest_scratch_disk_bytes = 256ULL << 20;

// A raw file on the host's disk for a guest's virtio disk, in a folder named as the loop devices' are
// (runtime::loop_folder: a leftover of a killed benchrun is known by its pid, and removed by the next run's
// I/O checks), removed with the folder when this goes (after the guest's teardown). Content::pattern (the vm
// I/O checks' disk, vm_io_disk_bytes): written through with a pattern, as a fallocated file's unwritten extents
// read as zeros without any I/O on the host. Content::ext4 (vm+container's scratch folder, guest_scratch_disk_bytes):
// allocated and formatted ext4 on the host (run_mkfs), mounted by benchinit (benchrun.scratch=, vm/guest_scratch.hpp).
// Content::sparse (the vm page-cache check's disk, `sparse_bytes`): a hole the guest only writes, so the host's
// disk holds only what QEMU wrote. Refuses a tmpfs `root`, and one QEMU (libvirt-qemu) cannot reach.
class GuestScratchDisk {
 public:
  enum class Content { pattern, ext4, sparse };
  GuestScratchDisk(const std::filesystem::path& root, const std::string& instance, Content content,
                   std::uint64_t sparse_bytes = 0);
  GuestScratchDisk(const GuestScratchDisk&) = delete;
  GuestScratchDisk& operator=(const GuestScratchDisk&) = delete;
  ~GuestScratchDisk();
  [[nodiscard]] std::filesystem::path file() const { return folder_ / "disk.img"; }

 private:
  void require_reachable_by_qemu(const std::filesystem::path& root);
  static void format_ext4(const std::filesystem::path& path);
  static void make_sparse(const std::filesystem::path& path, std::uint64_t bytes);
  void remove_dead_folders() const;
  void release() noexcept;

  std::filesystem::path root_;
  bool made_root_ = false;
  std::filesystem::path folder_;
};

// Runs io-read-bps or io-read-iops in a guest of `backend` (kind vm) with a scratch disk under `scratch_root`,
// and judges it. `limit_off`: the disk gets no <iotune>.
StepResult measure_vm_io_check(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off,
                               const std::filesystem::path& scratch_root);

// The judgements, exposed for tests: `seen.host` holds the vm/tunables_view.hpp keys of vda.
std::vector<reports::Verdict> judge_vm_io_read_bps(const LimitCheck& check, const VmObservation& seen);
std::vector<reports::Verdict> judge_vm_io_read_iops(const LimitCheck& check, const VmObservation& seen);

}  // namespace benchrun::harness
