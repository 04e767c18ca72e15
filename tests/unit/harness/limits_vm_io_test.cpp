// The vm judgement of the read throttle (limits_vm_io.hpp) from hand-made observations: a guest whose disk
// QEMU throttled, as both sides counted it, passes; a rate over the ceiling, one under the floor, a throttle
// libvirt does not read back, no block stats and a reader that reported nothing each fail it, naming why.
#include "harness/suites/limits_vm_io.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace key = vm::view_key;

const LimitCheck& check_named(const std::vector<LimitCheck>& checks, std::string_view name) {
  const LimitCheck* check = find_limit_check(checks, name);
  EXPECT_NE(check, nullptr) << name;
  return *check;
}

constexpr double limit_bps = 8 << 20;
constexpr double limit_iops = 200;

// A guest that read vda under read_bytes_sec 8 MiB/s: QEMU counted 2.1 s of steady reads at the limit, the
// reader 3 s at +3 % (the burst of its first tenth of a second).
VmObservation throttled_bps() {
  VmObservation seen;
  seen.host = {{key::iotune_read_bytes_sec, limit_bps},
               {key::block_rd_bytes, 25.9 * (1 << 20)},
               {key::block_rd_req, 210},
               {key::block_reading_ms, 3080},
               {key::block_steady_ms, 2080},
               {key::block_steady_rd_bytes, 2.08 * limit_bps},
               {key::block_steady_rd_req, 133}};
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"read_bytes_per_s", limit_bps * 1.03}, {"read_iops", 65.9}, {"run_ms", 3000}};
  return seen;
}

VmObservation throttled_iops() {
  VmObservation seen;
  seen.host = {{key::iotune_read_iops_sec, limit_iops},
               {key::block_rd_bytes, 2.5e6},
               {key::block_rd_req, 620},
               {key::block_reading_ms, 3060},
               {key::block_steady_ms, 2040},
               {key::block_steady_rd_bytes, 408 * 4096.0},
               {key::block_steady_rd_req, 2.04 * limit_iops}};
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"read_bytes_per_s", 206 * 4096.0}, {"read_iops", 206}, {"run_ms", 3000}};
  return seen;
}

TEST(VmIoReadBps, PassesWhenLibvirtQemuAndTheReaderAllShowTheLimit) {
  const auto checks = limit_checks(2);
  const auto verdicts = judge_vm_io_read_bps(check_named(checks, "io-read-bps"), throttled_bps());
  ASSERT_EQ(verdicts.size(), 1U);
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_EQ(verdicts[0].check, "io.read_bps");
  EXPECT_EQ(verdicts[0].unit, "bytes/s");
  EXPECT_EQ(verdicts[0].tolerance, 0.10);
  ASSERT_TRUE(verdicts[0].measured.has_value());
  EXPECT_DOUBLE_EQ(std::get<double>(*verdicts[0].measured), limit_bps);
  EXPECT_THAT(verdicts[0].why, HasSubstr("by QEMU's block stats of vda over 2080 ms of its 3080 ms of reads"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("first second"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("over by at most 10 %, under by at most 50 %"));
}

TEST(VmIoReadIops, PassesWhenLibvirtQemuAndTheReaderAllShowTheLimit) {
  const auto checks = limit_checks(2);
  const auto verdicts = judge_vm_io_read_iops(check_named(checks, "io-read-iops"), throttled_iops());
  ASSERT_EQ(verdicts.size(), 1U);
  EXPECT_TRUE(verdicts[0].pass) << verdicts[0].why;
  EXPECT_EQ(verdicts[0].check, "io.read_iops");
  EXPECT_THAT(verdicts[0].why, HasSubstr("200 IOPS by QEMU's block stats"));
}

TEST(VmIoReadBps, OverTheCeilingOnEitherSideFailsIt) {
  const auto checks = limit_checks(2);
  VmObservation host_over = throttled_bps();
  host_over.host[key::block_steady_rd_bytes] = 2.08 * limit_bps * 1.2;
  host_over.workload.metrics["read_bytes_per_s"] = limit_bps * 1.2;
  auto verdicts = judge_vm_io_read_bps(check_named(checks, "io-read-bps"), host_over);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("QEMU's block stats counted"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("+20.0 % from the limit, over the 10 % allowed"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("the reader counted"));

  // The reader alone over it: the two sides disagree as well.
  VmObservation reader_over = throttled_bps();
  reader_over.workload.metrics["read_bytes_per_s"] = limit_bps * 1.25;
  verdicts = judge_vm_io_read_bps(check_named(checks, "io-read-bps"), reader_over);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("the reader counted"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("but the reader"));
  EXPECT_THAT(verdicts[0].why, Not(HasSubstr("of reading (its first second left out)")));  // the host held
}

TEST(VmIoReadIops, UnderTheFloorFailsIt) {
  const auto checks = limit_checks(2);
  VmObservation seen = throttled_iops();
  seen.host[key::block_steady_rd_req] = 2.04 * 80;
  seen.workload.metrics["read_iops"] = 80;
  const auto verdicts = judge_vm_io_read_iops(check_named(checks, "io-read-iops"), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("-60.0 % from the limit, under half of it: the throttle was not reached"));
}

TEST(VmIoReadBps, NoThrottleReadBackFailsItAndSaysLimitsOff) {
  const auto checks = limit_checks(2);
  VmObservation seen = throttled_bps();
  seen.limit_applied = false;
  seen.host.erase(key::iotune_read_bytes_sec);
  seen.host[key::block_steady_rd_bytes] = 2.08 * 60 * (1 << 20);
  seen.workload.metrics["read_bytes_per_s"] = 60 << 20;
  const auto verdicts = judge_vm_io_read_bps(check_named(checks, "io-read-bps"), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("libvirt reads back no read throttle in bytes/s on vda"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("over the 10 % allowed"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("(ran without its limit: --limits-off)"));
}

TEST(VmIoReadBps, AnotherThrottleReadBackFailsIt) {
  const auto checks = limit_checks(2);
  VmObservation seen = throttled_bps();
  seen.host[key::iotune_read_bytes_sec] = 4 << 20;
  const auto verdicts = judge_vm_io_read_bps(check_named(checks, "io-read-bps"), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("libvirt reads back a read throttle of 4194304 bytes/s on vda"));
}

TEST(VmIoReadIops, NoBlockStatsFailsItEvenWhenTheReaderHeldTheLimit) {
  const auto checks = limit_checks(2);
  VmObservation seen = throttled_iops();
  seen.host = {{key::iotune_read_iops_sec, limit_iops}};
  auto verdicts = judge_vm_io_read_iops(check_named(checks, "io-read-iops"), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_FALSE(verdicts[0].measured.has_value());
  EXPECT_THAT(verdicts[0].why, HasSubstr("QEMU's block stats of vda were not read"));

  // Counters read, but no stretch past its first second.
  seen.host[key::block_rd_req] = 12;
  verdicts = judge_vm_io_read_iops(check_named(checks, "io-read-iops"), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("no stretch of reads longer than a second"));
}

TEST(VmIoReadBps, AReaderThatReportedNothingFailsItWithItsOwnWords) {
  const auto checks = limit_checks(2);
  VmObservation seen = throttled_bps();
  seen.workload.metrics.clear();
  seen.workload.exit_code = 1;
  seen.workload.output = {"ioprobe: open /dev/vda with O_DIRECT: No such file or directory"};
  const auto verdicts = judge_vm_io_read_bps(check_named(checks, "io-read-bps"), seen);
  EXPECT_FALSE(verdicts[0].pass);
  EXPECT_THAT(verdicts[0].why, HasSubstr("the reader reported no rate: the workload exited 1 (ioprobe: open /dev/vda"));
  EXPECT_THAT(verdicts[0].why, HasSubstr("no virtio_blk (image 'guest' loads it: --image guest)"));
}

}  // namespace
}  // namespace benchrun::harness
