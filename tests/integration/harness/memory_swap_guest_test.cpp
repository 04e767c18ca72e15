// The limits suite's memory-swap check on vm+container, through benchrun, as root, with real QEMU and libvirt:
// this host has no swap and benchrun never turns swap on here, so the step boots a guest of image "guest" with
// a zram swap device (benchrun.swap=64M: benchinit makes it swap before the workload) and the guest's benchrun
// judges the check on its container, on cgroup v2 (memory.swap.max) and v1 (memory.memsw.limit_in_bytes).
// --limits-off memory-swap must make it fail there. The host's own /proc/swaps stays empty throughout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "benchrun_process.hpp"
#include "report_verdicts.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// Swap areas /proc/swaps lists (every line after the header).
int host_swap_areas() {
  std::istringstream lines(read_text("/proc/swaps"));
  int areas = -1;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) ++areas;
  }
  return areas;
}

class MemorySwapInGuest : public LeakCheckedTest {
 protected:
  void SetUp() override {
    LeakCheckedTest::SetUp();
    ASSERT_EQ(host_swap_areas(), 0) << "this test proves memory+swap where the host has none";
  }
  void TearDown() override {
    EXPECT_EQ(host_swap_areas(), 0) << "the host got swap";
    LeakCheckedTest::TearDown();
  }
  CommandResult run(std::vector<std::string> extra) {
    std::vector<std::string> args{"--suite",           "limits", "--backends", "vm+container", "--cases",
                                  "memory-swap",       "-q",     "--timeout",  "150",          "--out",
                                  out_.path().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_benchrun(args);
  }
  [[nodiscard]] std::map<std::string, json> verdicts() const {
    return verdicts_of_only(read_report(out_.path()), "vm+container");
  }

  TempDir out_;
};

TEST_F(MemorySwapInGuest, HoldsInACgroupV2GuestWithZramSwap) {
  const auto result = run({"--guest-cgroup", "v2"});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_THAT(result.err,
              HasSubstr("vm+container: memory-swap: the guest got 64 MiB of swap (zram, benchrun.swap=64M)"));
  const auto found = verdicts();
  ASSERT_EQ(found.size(), 2U);
  for (const auto& [check, verdict] : found) {
    EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("inside the vm+container guest (cgroup v2"));
  }
  EXPECT_EQ(found.at("memory_swap.oom_kill").at("measured").get<double>(), 1.0);
  EXPECT_GE(found.at("memory_swap.swap_filled_within_limit").at("measured").get<double>(), 1.0);
}

TEST_F(MemorySwapInGuest, HoldsInACgroupV1GuestWithMemswAccounting) {
  const auto result = run({"--guest-cgroup", "v1"});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const auto found = verdicts();
  ASSERT_EQ(found.size(), 2U);
  for (const auto& [check, verdict] : found) {
    EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("(cgroup v1")) << verdict.dump();
  }
  // memory+swap's high-water: above the 32 MiB memory limit (swap used), not above 64 MiB.
  const double peak = found.at("memory_swap.swap_filled_within_limit").at("measured").get<double>();
  EXPECT_GT(peak, 32.0);
  EXPECT_LE(peak, 64.0);
}

TEST_F(MemorySwapInGuest, WithoutItsLimitsItFailsInsideTheGuestOnV2AndV1) {
  for (const std::string layout : {"v2", "v1"}) {
    SCOPED_TRACE(layout);
    const auto result = run({"--guest-cgroup", layout, "--limits-off", "memory-swap"});
    ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
    const auto found = verdicts();
    ASSERT_EQ(found.size(), 2U);
    for (const auto& [check, verdict] : found) {
      EXPECT_FALSE(verdict.at("pass").get<bool>()) << verdict.dump();
      EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("--limits-off")) << verdict.dump();
      EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("(cgroup " + layout)) << verdict.dump();
    }
    EXPECT_THAT(found.at("memory_swap.swap_filled_within_limit").at("why").get<std::string>(),
                HasSubstr("the cgroup has no memory+swap limit"));
    EXPECT_THAT(result.err, HasSubstr("vm+container guest: container: memory-swap ran without its limit"));
  }
}

}  // namespace
}  // namespace benchrun::testing
