// The vm judgement of the page-cache check (limits_vm_page_cache.hpp) from hand-made observations: a guest of
// 256 MiB whose writer wrote all 512 MiB, whose disk took what its RAM could not hold and whose QEMU stayed within
// RAM + 192 MiB passes; an OOM-killed or short writer, writes that never reached the disk, QEMU's RSS past the
// allowance (the guest with RAM for the whole write, --limits-off) and missing host figures each fail, naming why.
#include "harness/suites/limits_vm_page_cache.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace key = vm::view_key;

constexpr double mib = 1 << 20;

const LimitCheck& page_cache_check() {
  static const std::vector<LimitCheck> checks = limit_checks(2);
  const LimitCheck* check = find_limit_check(checks, "page-cache");
  EXPECT_NE(check, nullptr);
  return *check;
}

// What a guest of 256 MiB (vm_page_cache_guest(0)) showed: cachefill wrote its 512 MiB and exited 0, QEMU wrote 470 MiB
// of it to vda before the guest went down, and QEMU's peak RSS was 372 MiB.
VmObservation reclaimed() {
  VmObservation seen;
  seen.host = {{key::guest_memory_bytes, 256 * mib},
               {key::qemu_hwm_bytes, 372 * mib},
               {key::block_wr_bytes, 470 * mib},
               {key::block_wr_req, 3900}};
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"written_bytes", 512 * mib}, {"write_errno", 0}};
  return seen;
}

TEST(VmPageCache, PassesWhenTheWriterFinishedTheDiskTookTheDataAndQemuStayedWithinItsRam) {
  const auto verdicts = judge_vm_page_cache(page_cache_check(), vm_page_cache_guest(0), reclaimed());
  ASSERT_EQ(verdicts.size(), 2U);
  EXPECT_EQ(verdicts[0].check, "page_cache.writer_finished");
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_EQ(std::get<double>(*verdicts[0].configured), 512.0);
  EXPECT_EQ(std::get<double>(*verdicts[0].measured), 512.0);
  EXPECT_THAT(verdicts[0].why, HasSubstr("QEMU wrote 470.0 MiB to vda (at least the 256 MiB the RAM could not hold)"));
  EXPECT_EQ(verdicts[1].check, "page_cache.qemu_peak_within_limit");
  EXPECT_TRUE(verdicts[1].pass) << verdicts[1].why;
  EXPECT_EQ(std::get<double>(*verdicts[1].configured), 256.0);
  EXPECT_EQ(std::get<double>(*verdicts[1].measured), 372.0);
  EXPECT_THAT(verdicts[1].why,
              HasSubstr("within the guest's 256 MiB + 192 MiB for QEMU (0 MiB: its copy of the initramfs"));
}

TEST(VmPageCache, AWriterTheGuestOomKilledFailsIt) {
  VmObservation seen = reclaimed();
  seen.workload.signal = 9;
  seen.workload.exit_code.reset();
  seen.workload.metrics.clear();
  const auto verdicts = judge_vm_page_cache(page_cache_check(), vm_page_cache_guest(0), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("killed by signal 9 in the guest (the guest's OOM killer"));
  EXPECT_TRUE(verdicts[1].pass) << verdicts[1].why;  // QEMU's side held: the host judges it apart
}

TEST(VmPageCache, AShortWriteOrAFailedExitFailsIt) {
  VmObservation seen = reclaimed();
  seen.workload.metrics = {{"written_bytes", 448 * mib}, {"write_errno", 28}};
  seen.workload.exit_code = 1;
  seen.workload.output = {"cachefill: wrote 469762048 of 536870912 bytes to /dev/vda: No space left on device"};
  auto verdicts = judge_vm_page_cache(page_cache_check(), vm_page_cache_guest(0), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("the writer wrote 448.0 of 512 MiB (errno 28, exit 1)"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("No space left on device"));

  // All written, but the workload exited non-zero.
  seen = reclaimed();
  seen.workload.exit_code = 2;
  verdicts = judge_vm_page_cache(page_cache_check(), vm_page_cache_guest(0), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("exit 2"));

  // Nothing reported.
  seen = reclaimed();
  seen.workload.metrics.clear();
  verdicts = judge_vm_page_cache(page_cache_check(), vm_page_cache_guest(0), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("the writer reported nothing"));
}

TEST(VmPageCache, WritesThatNeverReachedTheDiskFailIt) {
  // The guest's RAM holds 256 MiB at most: less than 512 - 256 MiB on the disk means the data went elsewhere.
  VmObservation seen = reclaimed();
  seen.host[key::block_wr_bytes] = 100 * mib;
  auto verdicts = judge_vm_page_cache(page_cache_check(), vm_page_cache_guest(0), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("QEMU wrote 100.0 MiB to vda, less than the 256 MiB the guest's 256 MiB of "
                                         "RAM could not hold"));
  EXPECT_THAT(verdicts[0].why, Not(HasSubstr("--limits-off")));

  seen.host.erase(key::block_wr_bytes);
  verdicts = judge_vm_page_cache(page_cache_check(), vm_page_cache_guest(0), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("QEMU's write counters of vda were not read"));
}

TEST(VmPageCache, AGuestWithRamForTheWholeWriteFailsBothAndSaysLimitsOff) {
  // --limits-off: 1 GiB of RAM, the guest keeps the 512 MiB cached and QEMU's RSS holds every page of it.
  VmObservation seen = reclaimed();
  seen.limit_applied = false;
  seen.host[key::guest_memory_bytes] = 1024 * mib;
  seen.host[key::qemu_hwm_bytes] = 690 * mib;
  const auto verdicts = judge_vm_page_cache(page_cache_check(), vm_page_cache_guest(0), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("libvirt reads the guest's RAM as 1024 MiB, not 256 MiB"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("(ran without its limit: --limits-off)"));
  EXPECT_FALSE(verdicts[1].pass);
  EXPECT_THAT(verdicts[1].why, HasSubstr("QEMU's peak RSS 690 MiB is over the guest's 256 MiB + 192 MiB for QEMU"));
  EXPECT_THAT(verdicts[1].why, HasSubstr("(ran without its limit: --limits-off)"));
}

TEST(VmPageCache, QemuPastItsAllowanceFailsItEvenAtTheRightRam) {
  VmObservation seen = reclaimed();
  seen.host[key::qemu_hwm_bytes] = 449 * mib;
  auto verdicts = judge_vm_page_cache(page_cache_check(), vm_page_cache_guest(0), seen);
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_FALSE(verdicts[1].pass);
  EXPECT_THAT(verdicts[1].why, HasSubstr("QEMU's peak RSS 449 MiB is over"));
  EXPECT_THAT(verdicts[1].why, Not(HasSubstr("--limits-off")));

  seen.host.erase(key::qemu_hwm_bytes);
  verdicts = judge_vm_page_cache(page_cache_check(), vm_page_cache_guest(0), seen);
  EXPECT_FALSE(verdicts[1].pass);
  EXPECT_THAT(verdicts[1].why, HasSubstr("QEMU's peak RSS was not read"));
}

TEST(VmPageCache, TheGuestIsTheMemoryChecksOrWhatItsImageNeedsToBoot) {
  const VmPageCacheGuest small = vm_page_cache_guest(0);
  EXPECT_EQ(small.ram_mib, 256U);
  EXPECT_EQ(small.write_mib, 512U);
  EXPECT_EQ(small.unlimited_ram_mib, 768U);
  EXPECT_GT(small.disk_bytes(), 512ULL << 20);
  EXPECT_EQ(small.qemu_ceiling_mib(), 256U + 192U);
  // Image "guest": a 138 MiB initramfs needs 128 + 3 x 138 MiB to boot, and QEMU keeps its own copy of it.
  const VmPageCacheGuest big = vm_page_cache_guest(138ULL << 20);
  EXPECT_EQ(big.ram_mib, 542U);
  EXPECT_EQ(big.initramfs_mib, 138U);
  EXPECT_EQ(big.write_mib, 1084U);
  EXPECT_EQ(big.unlimited_ram_mib, 1626U);
  EXPECT_EQ(big.qemu_ceiling_mib(), 542U + 138U + 192U);
  EXPECT_GT(big.disk_bytes(), 1084ULL << 20);

  // The judgement follows the guest's RAM.
  VmObservation seen = reclaimed();
  seen.host[key::guest_memory_bytes] = 542 * mib;
  seen.host[key::qemu_hwm_bytes] = 788 * mib;  // measured with image "guest"
  seen.host[key::block_wr_bytes] = 900 * mib;
  seen.workload.metrics["written_bytes"] = 1084 * mib;
  auto verdicts = judge_vm_page_cache(page_cache_check(), big, seen);
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_TRUE(verdicts[1].pass) << verdicts[1].why;
  EXPECT_THAT(verdicts[1].why, HasSubstr("+ 330 MiB for QEMU (138 MiB: its copy of the initramfs and 192 MiB"));
  verdicts = judge_vm_page_cache(page_cache_check(), small, seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_FALSE(verdicts[1].pass);
}

}  // namespace
}  // namespace benchrun::harness
