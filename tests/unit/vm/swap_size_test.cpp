// benchrun.swap=<size>: what the host writes for a guest's swap and what benchinit reads back.
#include "vm/swap_size.hpp"

#include <gtest/gtest.h>

namespace benchrun::vm {
namespace {

TEST(SwapSize, ParsesBytesAndBinarySuffixes) {
  EXPECT_EQ(parse_swap_size("64M"), 64ULL << 20);
  EXPECT_EQ(parse_swap_size("64m"), 64ULL << 20);
  EXPECT_EQ(parse_swap_size("48K"), 48ULL << 10);
  EXPECT_EQ(parse_swap_size("2G"), 2ULL << 30);
  EXPECT_EQ(parse_swap_size("1048576"), 1ULL << 20);
  static_assert(parse_swap_size("1k") == 1024);
}

TEST(SwapSize, RefusesEmptyZeroOtherSuffixesTrailingTextAndOverflow) {
  for (const char* bad :
       {"", "M", "0", "0M", "64T", "64MB", "64 M", "-1", "1.5G", "x64M", "99999999999999999999", "9007199254740992G"}) {
    EXPECT_EQ(parse_swap_size(bad), std::nullopt) << bad;
  }
}

TEST(SwapSize, TheHostsTextParsesBackToTheSameBytes) {
  for (const std::uint64_t bytes : {64ULL << 20, 48ULL << 10, 4097ULL, 3ULL << 30}) {
    EXPECT_EQ(parse_swap_size(swap_size_text(bytes)), bytes) << swap_size_text(bytes);
  }
  EXPECT_EQ(swap_size_text(64ULL << 20), "64M");
  EXPECT_EQ(swap_size_text(48ULL << 10), "48K");
  EXPECT_EQ(swap_size_text(4097), "4097");
}

}  // namespace
}  // namespace benchrun::vm
