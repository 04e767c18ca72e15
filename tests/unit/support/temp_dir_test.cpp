// The tests' temporary folder: fresh, unique, and gone with everything in it, even what a test made
// unwritable.
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace benchrun::testing {
namespace {

namespace fs = std::filesystem;

TEST(TempDir, IsAFreshEmptyFolderNamedByItsPrefix) {
  const TempDir dir("benchrun-support-test");
  EXPECT_TRUE(fs::is_directory(dir.path()));
  EXPECT_TRUE(fs::is_empty(dir.path()));
  EXPECT_TRUE(dir.path().filename().string().starts_with("benchrun-support-test-"));
}

TEST(TempDir, TwoAreNeverTheSameFolder) {
  const TempDir first;
  const TempDir second;
  EXPECT_NE(first.path(), second.path());
}

TEST(TempDir, IsRemovedWithEverythingInItEvenAReadOnlyFolder) {
  fs::path kept;
  {
    const TempDir dir;
    kept = dir.path();
    fs::create_directories(dir.path() / "a" / "b");
    std::ofstream(dir.path() / "a" / "b" / "file") << "x";
    fs::permissions(dir.path(), fs::perms::owner_write, fs::perm_options::remove);
  }
  EXPECT_FALSE(fs::exists(kept));
}

}  // namespace
}  // namespace benchrun::testing
