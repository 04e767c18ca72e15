// Whole-file reads on real files: a file that is not there is an answer, any other failure an error.
#include "sys/file_io.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include "sys/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::sys {
namespace {

TEST(ReadFileIfPresent, GivesTheWholeFile) {
  const testing::TempDir dir;
  write_file_atomically(dir.path() / "f", "one\ntwo");
  EXPECT_EQ(read_file_if_present(dir.path() / "f"), "one\ntwo");
}

TEST(ReadFileIfPresent, AMissingFileOrAPathThroughAFileIsNoFile) {
  const testing::TempDir dir;
  write_file_atomically(dir.path() / "f", "x");
  EXPECT_FALSE(read_file_if_present(dir.path() / "missing").has_value());
  EXPECT_FALSE(read_file_if_present(dir.path() / "f" / "cmdline").has_value());  // ENOTDIR, as /proc/dma/cmdline
}

TEST(ReadFileIfPresent, AnyOtherFailureIsAnErrorNamingTheFile) {
  const testing::TempDir dir;
  try {
    read_file_if_present(dir.path());  // a directory: EISDIR
    FAIL() << "a directory was read";
  } catch (const SystemError& error) {
    EXPECT_EQ(error.code(), EISDIR);
    EXPECT_NE(std::string(error.what()).find(dir.path().string()), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace benchrun::sys
