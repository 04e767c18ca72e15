// The guest's results tar unpacked on the host: archives made by busybox tar (what benchinit runs in the
// guest) and by GNU tar, and hand-made hostile or broken ones: absolute and ".." names, links, a stream
// cut in a file, in a header or before its end marker, a corrupt header, nothing at all.
#include "vm/guest_results.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <string>

#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::vm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

namespace fs = std::filesystem;

// One ustar header block (POSIX magic) with a correct checksum, for archives a real tar would not write.
std::string header(const std::string& name, char type, std::size_t size, const std::string& link = "") {
  std::string block(512, '\0');
  block.replace(0, std::min<std::size_t>(name.size(), 100), name.substr(0, 100));
  block.replace(100, 7, "0000644");
  block.replace(108, 7, "0000000");
  block.replace(116, 7, "0000000");
  block.replace(124, 11, fmt::format("{:011o}", size));
  block.replace(136, 11, "00000000000");
  block[156] = type;
  block.replace(157, std::min<std::size_t>(link.size(), 100), link.substr(0, 100));
  block.replace(257, 6, std::string("ustar\0", 6));
  block.replace(263, 2, "00");
  block.replace(148, 8, "        ");
  unsigned sum = 0;
  for (const char c : block) sum += static_cast<unsigned char>(c);
  block.replace(148, 7, fmt::format("{:06o}", sum) + '\0');
  return block;
}

std::string padded(const std::string& data) { return data + std::string((512 - data.size() % 512) % 512, '\0'); }

std::string entry(const std::string& name, const std::string& data) {
  return header(name, '0', data.size()) + padded(data);
}

const std::string end_marker(1024, '\0');

class GuestResultsTest : public ::testing::Test {
 protected:
  fs::path tar_of(const std::string& bytes) {
    const auto path = dir_.path() / "results.tar";
    sys::write_file(path, bytes);
    return path;
  }
  fs::path out() const { return dir_.path() / "out"; }

  benchrun::testing::TempDir dir_{"benchrun-results"};
};

TEST_F(GuestResultsTest, UnpacksWhatBusyboxTarWrites) {
  const auto src = dir_.path() / "src";
  fs::create_directories(src / "startup" / "deep");
  sys::write_file(src / "gtest.json", "{\"tests\": 3}\n");
  sys::write_file(src / "startup" / "report.json", std::string(3000, 'x'));
  sys::write_file(src / "startup" / "deep" / "empty", "");
  const std::string long_name(120, 'n');
  sys::write_file(src / "startup" / long_name, "long");
  const auto tar = dir_.path() / "busybox.tar";
  const auto made =
      benchrun::testing::run_command({"busybox", "tar", "-c", "-f", tar.string(), "-C", src.string(), "."});
  ASSERT_EQ(made.exit_code, 0) << made.out;

  const ResultsExtraction result = extract_results_tar(tar, out());
  EXPECT_EQ(result.lost, std::nullopt);
  EXPECT_THAT(result.refused, IsEmpty());
  EXPECT_EQ(sys::read_file(out() / "gtest.json"), "{\"tests\": 3}\n");
  EXPECT_EQ(sys::read_file(out() / "startup" / "report.json"), std::string(3000, 'x'));
  EXPECT_EQ(sys::read_file(out() / "startup" / "deep" / "empty"), "");
  EXPECT_EQ(sys::read_file(out() / "startup" / long_name), "long");
  EXPECT_EQ(result.files.size(), 4U);
}

TEST_F(GuestResultsTest, UnpacksGnuTarLongNames) {
  const auto src = dir_.path() / "src";
  const std::string long_dir(150, 'd');
  fs::create_directories(src / long_dir);
  sys::write_file(src / long_dir / "f.txt", "gnu");
  const auto tar = dir_.path() / "gnu.tar";
  const auto made =
      benchrun::testing::run_command({"tar", "--format=gnu", "-c", "-f", tar.string(), "-C", src.string(), "."});
  ASSERT_EQ(made.exit_code, 0) << made.out;
  const ResultsExtraction result = extract_results_tar(tar, out());
  EXPECT_EQ(result.lost, std::nullopt);
  EXPECT_EQ(sys::read_file(out() / long_dir / "f.txt"), "gnu");
}

TEST_F(GuestResultsTest, RefusesAbsoluteAndDotDotNamesAndLinksButKeepsTheRest) {
  const std::string archive = entry("/etc/evil", "x") + entry("./../escape", "y") + entry("a/../../up", "z") +
                              header("./link", '2', 0, "/etc/passwd") + header("./hard", '1', 0, "ok.txt") +
                              entry("./ok.txt", "fine") + end_marker;
  const ResultsExtraction result = extract_results_tar(tar_of(archive), out());
  EXPECT_THAT(result.files, ElementsAre("ok.txt"));
  EXPECT_THAT(result.refused, ElementsAre(HasSubstr("/etc/evil: absolute"), HasSubstr("./../escape: holds '..'"),
                                          HasSubstr("a/../../up: holds '..'"), HasSubstr("./link: symlink"),
                                          HasSubstr("./hard: hard link")));
  EXPECT_EQ(result.lost, std::nullopt);
  EXPECT_EQ(sys::read_file(out() / "ok.txt"), "fine");
  EXPECT_FALSE(fs::exists(dir_.path() / "escape"));
  EXPECT_FALSE(fs::exists(dir_.path() / "up"));
  EXPECT_FALSE(fs::is_symlink(out() / "link"));
}

TEST_F(GuestResultsTest, NeverWritesThroughASymlinkAlreadyInTheFolder) {
  const auto elsewhere = dir_.path() / "elsewhere";
  fs::create_directories(elsewhere);
  fs::create_directories(out());
  fs::create_directory_symlink(elsewhere, out() / "sub");
  fs::create_symlink(elsewhere / "target", out() / "file");
  const std::string archive = entry("./sub/x", "1") + entry("./file", "2") + end_marker;
  const ResultsExtraction result = extract_results_tar(tar_of(archive), out());
  EXPECT_THAT(result.files, IsEmpty());
  EXPECT_EQ(result.refused.size(), 2U);
  EXPECT_TRUE(fs::is_empty(elsewhere));
}

TEST_F(GuestResultsTest, AStreamCutInsideAFileKeepsTheFilesBeforeAndSaysWhatWasLost) {
  const std::string whole = entry("./first", "complete") + entry("./second", std::string(2000, 's'));
  const std::string cut = whole.substr(0, 512 + 512 + 512 + 700);  // second's header and 700 of its 2000 bytes
  const ResultsExtraction result = extract_results_tar(tar_of(cut), out());
  EXPECT_THAT(result.files, ElementsAre("first"));
  EXPECT_THAT(result.lost, Optional(HasSubstr("./second (700 of 2000 bytes arrived, dropped)")));
  EXPECT_EQ(sys::read_file(out() / "first"), "complete");
  EXPECT_FALSE(fs::exists(out() / "second")) << "a partial file must not look complete";
}

TEST_F(GuestResultsTest, AStreamCutInsideAHeaderOrBeforeTheEndMarkerSaysSo) {
  const std::string files = entry("./a", "1") + entry("./b", "2");
  {
    const ResultsExtraction result = extract_results_tar(tar_of(files + header("./c", '0', 1).substr(0, 100)), out());
    EXPECT_THAT(result.files, ElementsAre("a", "b"));
    EXPECT_THAT(result.lost, Optional(HasSubstr("inside a header after ./b")));
  }
  {
    const ResultsExtraction result = extract_results_tar(tar_of(files), out());
    EXPECT_THAT(result.files, ElementsAre("a", "b"));
    EXPECT_THAT(result.lost, Optional(HasSubstr("without its end-of-archive marker after ./b")));
  }
}

TEST_F(GuestResultsTest, ACorruptHeaderStopsThereKeepingWhatCameBefore) {
  std::string bad = header("./b", '0', 1);
  bad[0] = 'X';  // the checksum no longer matches
  const std::string archive = entry("./a", "1") + bad + padded("2") + end_marker;
  const ResultsExtraction result = extract_results_tar(tar_of(archive), out());
  EXPECT_THAT(result.files, ElementsAre("a"));
  EXPECT_THAT(result.lost, Optional(HasSubstr("header at byte 1024 is corrupt (bad checksum) after ./a")));
  EXPECT_FALSE(fs::exists(out() / "Xb"));
}

TEST_F(GuestResultsTest, GarbageIsACorruptHeaderNotACrash) {
  const ResultsExtraction result = extract_results_tar(tar_of(std::string(2048, '\x7f')), out());
  EXPECT_THAT(result.files, IsEmpty());
  EXPECT_THAT(result.lost, Optional(HasSubstr("corrupt")));
}

TEST_F(GuestResultsTest, AnEmptyStreamSaysTheGuestWroteNothing) {
  const ResultsExtraction result = extract_results_tar(tar_of(""), out());
  EXPECT_THAT(result.files, IsEmpty());
  EXPECT_THAT(result.lost, Optional(HasSubstr("the guest wrote no results")));
}

TEST_F(GuestResultsTest, AMissingTarIsAnErrorNamingIt) {
  try {
    (void)extract_results_tar(dir_.path() / "absent.tar", out());
    FAIL() << "no error";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("absent.tar"));
  }
}

TEST_F(GuestResultsTest, TheResultsFileExistsEmptyWhileOwnedAndIsGoneAfter) {
  const auto path = dir_.path() / "state" / "guest.results";
  {
    const ResultsFile file(path);
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_size, 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
    sys::write_file(path, entry("./r", "ok") + end_marker);
    const ResultsExtraction result = file.extract_to(out());
    EXPECT_THAT(result.files, ElementsAre("r"));
  }
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
}  // namespace benchrun::vm
