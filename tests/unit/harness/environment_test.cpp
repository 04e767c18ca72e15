// The machine a report describes: the tools' versions come from their own --version output.
#include "harness/environment.hpp"

#include <gtest/gtest.h>

namespace benchrun::harness {
namespace {

TEST(ToolVersion, IsTheFirstLineTheProgramPrints) {
  const auto version = tool_version("git");  // setup.sh installs it; it prints one line, "git version X"
  ASSERT_TRUE(version.has_value());
  EXPECT_TRUE(version->starts_with("git version ")) << *version;
  EXPECT_EQ(version->find('\n'), std::string::npos);
}

TEST(ToolVersion, IsAbsentForAMissingProgramAndForOneThatFails) {
  EXPECT_FALSE(tool_version("benchrun-no-such-program").has_value());
  EXPECT_FALSE(tool_version("false").has_value());  // GNU false exits 1, --version or not
}

}  // namespace
}  // namespace benchrun::harness
