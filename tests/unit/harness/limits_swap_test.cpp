// The limits suite's memory+swap check, pure: not applicable without swap, verdicts for a run where swap filled
// to its limit (v1 and v2 views), each flipped to fail by what --limits-off or a limit that did not hold
// produces, the host's view read from fake v1 and v2 cgroup files, and the swap a guest gets for the case.
#include "harness/suites/limits_swap.hpp"

#include <gtest/gtest.h>

#include "sys/file_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::harness {
namespace {

constexpr std::uint64_t mib = 1ULL << 20;

// The hog killed by the OOM killer once memory (32M) and swap (32M) were full, as the guest's v1 cgroup shows it.
Observation held_v1() {
  Observation seen;
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"hog_signal", 9.0}, {"hog_exit_code", 0.0}};
  seen.host.oom_kills = 1;
  seen.host.memory_limit_bytes = 32 * mib;
  seen.host.memory_peak_bytes = 32 * mib;
  seen.host.memory_swap_limit_bytes = 64 * mib;
  seen.host.memory_swap_peak_bytes = 64 * mib;
  seen.host.swap_limit_hits = 120;
  return seen;
}

Observation held_v2() {
  Observation seen = held_v1();
  seen.host.memory_swap_peak_bytes.reset();  // 6.1's v2 has no memory.swap.peak
  seen.host.swap_limit_hits = 3;             // memory.swap.events max
  return seen;
}

std::map<std::string, reports::Verdict> judge(const Observation& seen) {
  const LimitCheck check = memory_swap_check();
  std::map<std::string, reports::Verdict> verdicts;
  for (auto& verdict : check.judge(check, seen)) verdicts[verdict.check] = verdict;
  EXPECT_EQ(verdicts.size(), 2U);
  return verdicts;
}

TEST(LimitsMemorySwap, IsNotApplicableWithoutSwapAndApplicableWithIt) {
  const auto none = memory_swap_not_applicable("Filename\tType\tSize\tUsed\tPriority\n");
  ASSERT_TRUE(none);
  EXPECT_NE(none->find("not applicable: no swap on this host"), std::string::npos);
  EXPECT_EQ(memory_swap_not_applicable("Filename\tType\tSize\tUsed\tPriority\n/dev/zram0 partition 65532 0 -2\n"),
            std::nullopt);
  EXPECT_NE(memory_swap_check().not_applicable, nullptr);
}

TEST(LimitsMemorySwap, TheCheckHogsTwiceMemoryPlusSwap) {
  const LimitCheck check = memory_swap_check();
  EXPECT_EQ(check.workload, "oomprobe");
  EXPECT_EQ(check.workload_args.at(0), "128");
  EXPECT_EQ(check.limits.memory_bytes, 32 * mib);
  EXPECT_EQ(check.limits.memory_swap_bytes, 64 * mib);
}

TEST(LimitsMemorySwap, SwapFilledToItsLimitThenTheOomKillPassesOnV1AndV2) {
  for (const Observation& seen : {held_v1(), held_v2()}) {
    for (const auto& [name, verdict] : judge(seen)) EXPECT_TRUE(verdict.pass) << name << ": " << verdict.why;
  }
  const auto v1 = judge(held_v1());
  EXPECT_EQ(std::get<double>(*v1.at("memory_swap.swap_filled_within_limit").measured), 64.0);
  EXPECT_EQ(v1.at("memory_swap.swap_filled_within_limit").unit, "MiB");
  EXPECT_EQ(judge(held_v2()).at("memory_swap.swap_filled_within_limit").unit, "swap.max hits");
}

TEST(LimitsMemorySwap, WithoutItsLimitsBothVerdictsFail) {
  // --limits-off: no memory limit and no memory+swap limit; the hog of 128M fits in the guest and exits 0.
  Observation seen = held_v1();
  seen.limit_applied = false;
  seen.workload.metrics = {{"hog_signal", 0.0}, {"hog_exit_code", 0.0}};
  seen.host.oom_kills = 0;
  seen.host.memory_limit_bytes = 1ULL << 62;
  seen.host.memory_peak_bytes = 130 * mib;
  seen.host.memory_swap_limit_bytes = 1ULL << 62;
  seen.host.memory_swap_peak_bytes = 130 * mib;
  seen.host.swap_limit_hits = 0;
  for (const auto& [name, verdict] : judge(seen)) {
    EXPECT_FALSE(verdict.pass) << name;
    EXPECT_NE(verdict.why.find("--limits-off"), std::string::npos) << verdict.why;
  }
  EXPECT_NE(judge(seen).at("memory_swap.swap_filled_within_limit").why.find("no memory+swap limit"), std::string::npos);
  // v2 reads "max": no limit at all.
  Observation v2 = held_v2();
  v2.host.memory_swap_limit_bytes.reset();
  v2.host.swap_limit_hits = 0;
  EXPECT_FALSE(judge(v2).at("memory_swap.swap_filled_within_limit").pass);
}

TEST(LimitsMemorySwap, NothingSwappedOrPastTheLimitFails) {
  Observation unswapped = held_v1();  // killed at the memory limit: swap never used
  unswapped.host.memory_swap_peak_bytes = 32 * mib;
  EXPECT_NE(judge(unswapped).at("memory_swap.swap_filled_within_limit").why.find("nothing went to swap"),
            std::string::npos);
  Observation over = held_v1();
  over.host.memory_swap_peak_bytes = 64 * mib + 4096;
  EXPECT_NE(judge(over).at("memory_swap.swap_filled_within_limit").why.find("over the limit"), std::string::npos);
  Observation never_full = held_v2();
  never_full.host.swap_limit_hits = 0;
  EXPECT_FALSE(judge(never_full).at("memory_swap.swap_filled_within_limit").pass);
  Observation wrong = held_v2();
  wrong.host.memory_swap_limit_bytes = 96 * mib;
  EXPECT_NE(judge(wrong).at("memory_swap.swap_filled_within_limit").why.find("reads 96.0 MiB"), std::string::npos);
  Observation twice = held_v1();
  twice.host.oom_kills = 2;
  EXPECT_FALSE(judge(twice).at("memory_swap.oom_kill").pass);
}

// A fake cgroup file holding `text` (replacing what was there).
void put(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::remove(path);
  sys::write_file_new(path, text);
}

TEST(LimitsMemorySwap, TheHostViewReadsV1MemswAndV2SwapFiles) {
  const testing::TempDir dir;
  put(dir.path() / "memory.memsw.limit_in_bytes", "67108864\n");
  put(dir.path() / "memory.memsw.max_usage_in_bytes", "67104768\n");
  put(dir.path() / "memory.memsw.failcnt", "57\n");
  HostView v1;
  read_swap_host_view_v1(dir.path(), v1);
  EXPECT_EQ(v1.memory_swap_limit_bytes, 64 * mib);
  EXPECT_EQ(v1.memory_swap_peak_bytes, 67104768U);
  EXPECT_EQ(v1.swap_limit_hits, 57U);

  const testing::TempDir v2_dir;
  put(v2_dir.path() / "memory.max", "33554432\n");
  put(v2_dir.path() / "memory.swap.max", "33554432\n");
  put(v2_dir.path() / "memory.swap.events", "high 0\nmax 4\nfail 4\n");
  HostView v2;
  read_swap_host_view_v2(v2_dir.path(), v2);
  EXPECT_EQ(v2.memory_swap_limit_bytes, 64 * mib);
  EXPECT_FALSE(v2.memory_swap_peak_bytes);
  EXPECT_EQ(v2.swap_limit_hits, 4U);
  put(v2_dir.path() / "memory.swap.max", "max\n");
  HostView unlimited;
  read_swap_host_view_v2(v2_dir.path(), unlimited);
  EXPECT_FALSE(unlimited.memory_swap_limit_bytes);
}

TEST(LimitsMemorySwap, AGuestGetsTwiceTheSwapPartOfTheLimit) {
  EXPECT_EQ(guest_swap_for(memory_swap_check().limits), 64 * mib);
  EXPECT_EQ(guest_swap_for(reports::Limits{}), std::nullopt);
  reports::Limits no_swap_part;
  no_swap_part.memory_bytes = 32 * mib;
  no_swap_part.memory_swap_bytes = 32 * mib;
  EXPECT_EQ(guest_swap_for(no_swap_part), 16 * mib);
}

}  // namespace
}  // namespace benchrun::harness
