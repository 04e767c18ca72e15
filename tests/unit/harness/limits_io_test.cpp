// The limits suite's I/O throttle and page-cache checks, pure (memory+swap: limits_swap_test.cpp): verdicts
// for observations where the limit held, each flipped to fail by what --limits-off produces, the host's view
// parsed from fake v1 and v2 cgroup files, and how a leftover loop device's folder names its owner.
#include "harness/suites/limits_io.hpp"

#include <gtest/gtest.h>

#include "harness/suites/limits_host.hpp"
#include "runtime/loop_device.hpp"
#include "sys/file_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::harness {
namespace {

constexpr std::uint64_t mib = 1ULL << 20;
constexpr const char* device = "7:3";

const LimitCheck& check(std::string_view name) {
  static const std::vector<LimitCheck> checks = limit_checks(2);
  const LimitCheck* found = find_limit_check(checks, name);
  if (found == nullptr) throw std::runtime_error("no check " + std::string(name));
  return *found;
}

reports::Verdict judge_one(std::string_view name, const Observation& seen) {
  const auto verdicts = check(name).judge(check(name), seen);
  EXPECT_EQ(verdicts.size(), 1U);
  return verdicts.at(0);
}

// A reader of `rate` per second for 3 s as both sides count it, under the limits `bps` and `iops` read back.
Observation io_run(double bytes_per_s, double iops, std::optional<std::uint64_t> bps_limit,
                   std::optional<std::uint64_t> iops_limit) {
  Observation seen;
  seen.io_device = device;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"run_ms", 3000.0}, {"read_bytes_per_s", bytes_per_s}, {"read_iops", iops}};
  IoDeviceView& host = seen.host.io_devices[device];
  host.read_bytes = static_cast<std::uint64_t>(bytes_per_s * 3);
  host.reads = static_cast<std::uint64_t>(iops * 3);
  host.read_bps_limit = bps_limit;
  host.read_iops_limit = iops_limit;
  return seen;
}

TEST(LimitsIoChecks, ThrottleTheLoopDeviceTheyRead) {
  EXPECT_EQ(check("io-read-bps").limits.io_read_bps, 8 * mib);
  EXPECT_EQ(check("io-read-bps").limits.io_read_iops, std::nullopt);
  EXPECT_EQ(check("io-read-iops").limits.io_read_iops, 200U);
  EXPECT_EQ(check("io-read-bps").workload, "ioprobe");
  EXPECT_NE(check("io-read-bps").prepare, nullptr);
  EXPECT_EQ(check("page-cache").limits.memory_bytes, 30 * mib);
  EXPECT_EQ(check("page-cache").workload_args.at(1), "50");
}

TEST(LimitsIoChecks, ReadBpsAtTheLimitPassesFromBothSides) {
  const auto verdict = judge_one("io-read-bps", io_run(8.05 * mib, 64, 8 * mib, std::nullopt));
  EXPECT_TRUE(verdict.pass) << verdict.why;
  EXPECT_EQ(verdict.check, "io.read_bps");
  EXPECT_NEAR(std::get<double>(*verdict.measured), 8.05 * mib, 2.0);
  EXPECT_EQ(verdict.tolerance, 0.10);
}

TEST(LimitsIoChecks, ReadBpsFailsWithoutItsLimit) {
  Observation unthrottled = io_run(900.0 * mib, 7200, std::nullopt, std::nullopt);
  unthrottled.limit_applied = false;
  const auto verdict = judge_one("io-read-bps", unthrottled);
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("no read limit on 7:3"), std::string::npos) << verdict.why;
  EXPECT_NE(verdict.why.find("from the limit"), std::string::npos) << verdict.why;
  EXPECT_NE(verdict.why.find("--limits-off"), std::string::npos) << verdict.why;
}

TEST(LimitsIoChecks, AHostCountFarFromTheWorkloadsFails) {
  Observation seen = io_run(8.0 * mib, 64, 8 * mib, std::nullopt);
  seen.host.io_devices[device].read_bytes = 3 * mib;  // the cgroup missed most reads
  EXPECT_FALSE(judge_one("io-read-bps", seen).pass);
  seen.host.io_devices.clear();  // or saw none on this device
  const auto verdict = judge_one("io-read-bps", seen);
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("counts no reads"), std::string::npos) << verdict.why;
}

TEST(LimitsIoChecks, ReadIopsAtTheLimitPassesAndOverItFails) {
  EXPECT_TRUE(judge_one("io-read-iops", io_run(200 * 4096.0, 201, std::nullopt, 200)).pass);
  const auto over = judge_one("io-read-iops", io_run(240 * 4096.0, 240, std::nullopt, 200));
  EXPECT_FALSE(over.pass);
  EXPECT_NE(over.why.find("+20.0 %"), std::string::npos) << over.why;
}

// A throttle promises a ceiling: a busy host's reader may fall short of it, but not below half (then nothing
// showed the throttle acted).
TEST(LimitsIoChecks, UnderTheLimitPassesDownToHalfOfIt) {
  const auto busy = judge_one("io-read-iops", io_run(160 * 4096.0, 160, std::nullopt, 200));
  EXPECT_TRUE(busy.pass) << busy.why;
  const auto stalled = judge_one("io-read-iops", io_run(90 * 4096.0, 90, std::nullopt, 200));
  EXPECT_FALSE(stalled.pass);
  EXPECT_NE(stalled.why.find("under half of it"), std::string::npos) << stalled.why;
}

TEST(LimitsIoChecks, AReaderThatEndedWithoutFiguresFails) {
  Observation crashed;
  crashed.workload.result_seen = true;
  crashed.workload.exit_code = 1;
  const auto verdict = judge_one("io-read-iops", crashed);
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("exited 1"), std::string::npos) << verdict.why;
}

Observation page_cache_run(std::optional<std::uint64_t> limit, std::uint64_t usage, std::uint64_t peak) {
  Observation seen;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"written_bytes", 50.0 * mib}, {"write_errno", 0}};
  seen.host.memory_limit_bytes = limit;
  seen.host.memory_usage_bytes = usage;
  seen.host.memory_peak_bytes = peak;
  seen.host.oom_kills = 0;
  return seen;
}

TEST(LimitsPageCache, UsageCloseToTheLimitWithoutAnOomKillPasses) {
  const auto verdict = judge_one("page-cache", page_cache_run(30 * mib, 29 * mib, 30 * mib));
  EXPECT_TRUE(verdict.pass) << verdict.why;
  EXPECT_EQ(verdict.check, "page_cache.within_limit");
  EXPECT_DOUBLE_EQ(std::get<double>(*verdict.measured), 29.0);
}

TEST(LimitsPageCache, FailsWithoutItsLimit) {
  Observation unlimited = page_cache_run(std::nullopt, 51 * mib, 51 * mib);
  unlimited.limit_applied = false;
  const auto verdict = judge_one("page-cache", unlimited);
  EXPECT_FALSE(verdict.pass);
  EXPECT_NE(verdict.why.find("no memory limit"), std::string::npos) << verdict.why;
  EXPECT_NE(verdict.why.find("over the limit"), std::string::npos) << verdict.why;
  // v1 reads "unlimited" as PAGE_COUNTER_MAX pages.
  unlimited.host.memory_limit_bytes = 9'223'372'036'854'771'712ULL;
  EXPECT_NE(judge_one("page-cache", unlimited).why.find("no memory limit"), std::string::npos);
}

TEST(LimitsPageCache, AnOomKillOrUsageFarBelowTheLimitFails) {
  Observation killed = page_cache_run(30 * mib, 29 * mib, 30 * mib);
  killed.host.oom_kills = 1;
  EXPECT_NE(judge_one("page-cache", killed).why.find("OOM-killed"), std::string::npos);
  // 20 MiB under 30: the cache was dropped, not kept up to the limit (|10| > 50 * 0.05).
  const auto low = judge_one("page-cache", page_cache_run(30 * mib, 20 * mib, 30 * mib));
  EXPECT_FALSE(low.pass);
  EXPECT_NE(low.why.find("not close"), std::string::npos) << low.why;
  Observation short_write = page_cache_run(30 * mib, 29 * mib, 30 * mib);
  short_write.workload.metrics["written_bytes"] = 10.0 * mib;
  short_write.workload.metrics["write_errno"] = 28;
  EXPECT_NE(judge_one("page-cache", short_write).why.find("wrote 10.0 of 50 MiB"), std::string::npos);
}

TEST(LimitsIoHostView, V1BlkioFilesParsePerDevice) {
  std::map<std::string, IoDeviceView> devices;
  parse_blkio_v1_counts(
      "7:3 Read 25165824\n7:3 Write 0\n7:3 Sync 25165824\n7:3 Total 25165824\n254:0 Read 4096\n"
      "Total 25169920\n",
      true, devices);
  parse_blkio_v1_counts("7:3 Read 192\n7:3 Write 0\nTotal 192\n", false, devices);
  parse_blkio_v1_limits("7:3 8388608\n", true, devices);
  EXPECT_EQ(devices["7:3"].read_bytes, 25'165'824U);
  EXPECT_EQ(devices["7:3"].reads, 192U);
  EXPECT_EQ(devices["7:3"].read_bps_limit, 8 * mib);
  EXPECT_EQ(devices["7:3"].read_iops_limit, std::nullopt);
  EXPECT_EQ(devices["254:0"].read_bytes, 4096U);
}

TEST(LimitsIoHostView, V2IoStatAndIoMaxParsePerDevice) {
  std::map<std::string, IoDeviceView> devices;
  parse_io_stat_v2("7:3 rbytes=2457600 wbytes=0 rios=600 wios=0 dbytes=0 dios=0\n", devices);
  parse_io_max_v2("7:3 rbps=max wbps=max riops=200 wiops=max\n", devices);
  EXPECT_EQ(devices["7:3"].read_bytes, 2'457'600U);
  EXPECT_EQ(devices["7:3"].reads, 600U);
  EXPECT_EQ(devices["7:3"].read_bps_limit, std::nullopt);
  EXPECT_EQ(devices["7:3"].read_iops_limit, 200U);
}

class FakeIoCgroupTree : public ::testing::Test {
 protected:
  void write(const std::string& relative, const std::string& text) {
    std::filesystem::create_directories((root_.path() / relative).parent_path());
    sys::write_file_new(root_.path() / relative, text);
  }
  testing::TempDir root_{"limits-io-cgroup"};
};

TEST_F(FakeIoCgroupTree, TheHostViewHoldsTheDeviceAndTheMemoryUsage) {
  write("blkio/benchrun/i1/blkio.throttle.io_service_bytes", "7:3 Read 4096\nTotal 4096\n");
  write("blkio/benchrun/i1/blkio.throttle.read_iops_device", "7:3 200\n");
  write("memory/benchrun/i1/memory.usage_in_bytes", "31000000\n");
  const HostView v1 = read_host_view(runtime::CgroupMode::hybrid, root_.path(), "benchrun/i1");
  EXPECT_EQ(v1.io_devices.at("7:3").read_bytes, 4096U);
  EXPECT_EQ(v1.io_devices.at("7:3").read_iops_limit, 200U);
  EXPECT_EQ(v1.memory_usage_bytes, 31'000'000U);
  write("v2/io.stat", "7:3 rbytes=8192 wbytes=0 rios=2 wios=0\n");
  write("v2/memory.current", "1000\n");
  const HostView v2 = read_host_view(runtime::CgroupMode::v2, root_.path(), "v2");
  EXPECT_EQ(v2.io_devices.at("7:3").reads, 2U);
  EXPECT_EQ(v2.memory_usage_bytes, 1000U);
}

TEST(LoopFolders, NameTheirOwnerForTheSweep) {
  const auto folder = runtime::loop_folder("/var/tmp/x", 4242, "benchrun-ab-3");
  EXPECT_EQ(folder, "/var/tmp/x/benchrun-loop-4242-benchrun-ab-3");
  EXPECT_EQ(runtime::loop_folder_owner(folder / "disk.img"), 4242);
  EXPECT_EQ(runtime::loop_folder_owner("/var/tmp/x/other/disk.img"), std::nullopt);
  EXPECT_EQ(runtime::loop_folder_owner("/var/tmp/benchrun-loop-x-1/disk.img"), std::nullopt);
  EXPECT_EQ(runtime::loop_folder_owner("/var/tmp/benchrun-loop-12/disk.img"), std::nullopt);
}

}  // namespace
}  // namespace benchrun::harness
