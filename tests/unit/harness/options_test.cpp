#include "harness/options.hpp"

#include <gtest/gtest.h>

#include "sys/error.hpp"

namespace benchrun::harness {
namespace {

TEST(ParseSize, AcceptsPlainBytesAndBinarySuffixes) {
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("512k"), 512u * 1024);
  EXPECT_EQ(parse_size("64M"), 64u << 20);
  EXPECT_EQ(parse_size("64MiB"), 64u << 20);
  EXPECT_EQ(parse_size("1G"), 1u << 30);
  EXPECT_EQ(parse_size("2gb"), 2ull << 30);
}

TEST(ParseSize, RejectsGarbageWithTheValueInTheMessage) {
  for (const char* bad : {"", "M", "64X", "-1", "0", "99999999999999999999G"}) {
    try {
      parse_size(bad);
      FAIL() << "accepted '" << bad << "'";
    } catch (const sys::Error& error) {
      EXPECT_NE(std::string(error.what()).find(std::string("'") + bad + "'"), std::string::npos) << error.what();
    }
  }
}

TEST(ParseCpus, AcceptsPositiveFractionsOnly) {
  EXPECT_DOUBLE_EQ(parse_cpus("0.5"), 0.5);
  EXPECT_DOUBLE_EQ(parse_cpus("2"), 2.0);
  EXPECT_THROW(parse_cpus("0"), sys::Error);
  EXPECT_THROW(parse_cpus("-1"), sys::Error);
  EXPECT_THROW(parse_cpus("half"), sys::Error);
  EXPECT_THROW(parse_cpus("1.5x"), sys::Error);
}

TEST(FormatSize, UsesTheLargestExactUnit) {
  EXPECT_EQ(format_size(64u << 20), "64M");
  EXPECT_EQ(format_size(1u << 30), "1G");
  EXPECT_EQ(format_size(1536u * 1024), "1536K");
  EXPECT_EQ(format_size(1000), "1000");
}

}  // namespace
}  // namespace benchrun::harness
