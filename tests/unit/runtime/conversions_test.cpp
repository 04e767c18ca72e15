#include "runtime/cgroup/conversions.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sys/error.hpp"

namespace benchrun::runtime {
namespace {

using ::testing::HasSubstr;

TEST(CpusToQuota, HalfACoreIsHalfOfTheDefaultPeriod) {
  const auto quota = cpus_to_quota(0.5);
  EXPECT_EQ(quota.quota_us, 50'000u);
  EXPECT_EQ(quota.period_us, 100'000u);
}

TEST(CpusToQuota, SeveralCoresGiveAQuotaAboveThePeriod) {
  EXPECT_EQ(cpus_to_quota(2.0).quota_us, 200'000u);
  EXPECT_EQ(cpus_to_quota(1.25, 10'000).quota_us, 12'500u);
}

TEST(CpusToQuota, RejectsZeroNegativeAndQuotasUnderTheKernelMinimum) {
  EXPECT_THROW(cpus_to_quota(0), sys::Error);
  EXPECT_THROW(cpus_to_quota(-1), sys::Error);
  try {
    cpus_to_quota(0.005);
    FAIL() << "0.005 cpus accepted";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("quota of 500 us"));
  }
}

TEST(MemorySwapLimit, NeedsAMemoryLimitAndIsNotBelowIt) {
  ResourceLimits limits;
  limits.memory_swap_bytes = 64ULL << 20;
  EXPECT_THAT([&] { (void)memory_swap_limit(limits); },
              ::testing::ThrowsMessage<sys::Error>(HasSubstr("needs a memory limit too")));
  limits.memory_bytes = 128ULL << 20;
  EXPECT_THAT([&] { (void)memory_swap_limit(limits); },
              ::testing::ThrowsMessage<sys::Error>(HasSubstr("below the memory limit")));
  limits.memory_bytes = 32ULL << 20;
  EXPECT_EQ(memory_swap_limit(limits), 64ULL << 20);
  limits.memory_bytes = 64ULL << 20;  // equal: no swap at all, which the kernel takes
  EXPECT_EQ(memory_swap_limit(limits), 64ULL << 20);
}

TEST(SharesAndWeight, TheRangesEndsMeet) {
  EXPECT_EQ(shares_to_weight(2), 1u);
  EXPECT_EQ(shares_to_weight(262'144), 10'000u);
  EXPECT_EQ(weight_to_shares(1), 2u);
  EXPECT_EQ(weight_to_shares(10'000), 262'144u);
}

TEST(SharesAndWeight, TheV1DefaultMapsToWeight39AndOutOfRangeValuesClamp) {
  EXPECT_EQ(shares_to_weight(1024), 39u);
  EXPECT_EQ(shares_to_weight(0), 1u);
  EXPECT_EQ(weight_to_shares(100'000), 262'144u);
}

TEST(SharesAndWeight, WeightSurvivesTheRoundTripWithinOne) {
  for (const std::uint64_t weight : {1u, 39u, 100u, 500u, 9'999u, 10'000u}) {
    const auto back = shares_to_weight(weight_to_shares(weight));
    EXPECT_LE(weight - back, 1u) << weight;
  }
}

TEST(IoMaxLine, HoldsOnlyTheLimitsThatAreSet) {
  IoDeviceLimit limit;
  limit.major = 8;
  limit.minor = 16;
  limit.read_bps = 1'048'576;
  limit.write_iops = 100;
  EXPECT_EQ(io_max_line(limit), "8:16 rbps=1048576 wiops=100");
}

TEST(FindKeyedValue, FindsTheWholeKeyOnly) {
  const std::string content = "oom 0\noom_kill 3\noom_group_kill 1\n";
  EXPECT_EQ(find_keyed_value(content, "oom_kill"), 3u);
  EXPECT_EQ(find_keyed_value(content, "oom"), 0u);
  EXPECT_EQ(find_keyed_value(content, "oom_k"), std::nullopt);
  EXPECT_EQ(find_keyed_value("", "oom_kill"), std::nullopt);
}

TEST(ParseSingleValue, ReadsNumbersAndMax) {
  EXPECT_EQ(parse_single_value("12345\n"), 12345u);
  EXPECT_EQ(parse_single_value("max\n"), std::nullopt);
  EXPECT_THROW(parse_single_value("12 kB"), sys::Error);
}

}  // namespace
}  // namespace benchrun::runtime
