#include "reports/report_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <limits>

#include "reports/json.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "test_support.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::reports {
namespace {

using benchrun::testing::TempDir;
using testing::example_report;
using testing::file_names;

constexpr uid_t nobody = 65534;

TEST(WriteReportAtomically, WritesTheReportAndLeavesNoTempFile) {
  const TempDir dir;
  const auto path = dir.path() / "report.json";
  write_report_atomically(example_report(), path);
  EXPECT_EQ(file_names(dir.path()), (std::vector<std::string>{"report.json"}));
  EXPECT_EQ(report_to_json_text(read_report_file(path)), report_to_json_text(example_report()));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644U);
}

TEST(WriteReportAtomically, ReplacesAnOlderReport) {
  const TempDir dir;
  const auto path = dir.path() / "report.json";
  Report first = example_report();
  write_report_atomically(first, path);
  Report second = example_report();
  second.complete = true;
  write_report_atomically(second, path);
  EXPECT_TRUE(read_report_file(path).complete);
  EXPECT_EQ(file_names(dir.path()), (std::vector<std::string>{"report.json"}));
}

TEST(WriteReportAtomicallyDeathTest, UnwritableDirectoryFailsWithContextAndKeepsTheOldReport) {
  const TempDir dir;
  const auto path = dir.path() / "report.json";
  write_report_atomically(example_report(), path);
  const std::string old_text = sys::read_file(path);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0555), 0);

  // Root ignores directory permissions (CAP_DAC_OVERRIDE), so the write runs in a child that is not root.
  EXPECT_EXIT(
      {
        if (::geteuid() == 0 && (::setgid(nobody) != 0 || ::setuid(nobody) != 0)) {
          std::cerr << "cannot drop to uid " << nobody << std::endl;
          std::_Exit(2);
        }
        Report newer = example_report();
        newer.complete = true;
        try {
          write_report_atomically(newer, path);
        } catch (const sys::Error& error) {
          std::cerr << error.what() << std::endl;
          std::_Exit(0);
        }
        std::_Exit(1);
      },
      ::testing::ExitedWithCode(0), "write report .*/report.json: create temp file in .*: EACCES");

  EXPECT_EQ(sys::read_file(path), old_text);
  EXPECT_EQ(file_names(dir.path()), (std::vector<std::string>{"report.json"}));
}

TEST(WriteReportAtomically, FailedRenameRemovesTheTempFile) {
  const TempDir dir;
  // A non-empty directory where the report should go: rename(2) over it fails (EISDIR).
  const auto path = dir.path() / "report.json";
  std::filesystem::create_directory(path);
  sys::write_file_atomically(path / "kept", "inside");
  try {
    write_report_atomically(example_report(), path);
    FAIL() << "a report replaced a directory";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("rename"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("EISDIR"), std::string::npos) << error.what();
  }
  EXPECT_EQ(file_names(dir.path()), (std::vector<std::string>{"report.json"}));
  EXPECT_EQ(sys::read_file(path / "kept"), "inside");
}

TEST(WriteReportAtomically, ReportThatCannotBeSerializedTouchesNothing) {
  const TempDir dir;
  const auto path = dir.path() / "report.json";
  write_report_atomically(example_report(), path);
  const std::string old_text = sys::read_file(path);
  Report broken = example_report();
  broken.samples[0].phases["clone"] = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(write_report_atomically(broken, path), sys::Error);
  EXPECT_EQ(sys::read_file(path), old_text);
  EXPECT_EQ(file_names(dir.path()), (std::vector<std::string>{"report.json"}));
}

TEST(ReadReportFile, MissingFileNamesPathAndErrno) {
  const TempDir dir;
  try {
    read_report_file(dir.path() / "absent.json");
    FAIL() << "read a file that does not exist";
  } catch (const sys::Error& error) {
    EXPECT_NE(std::string(error.what()).find("read report " + (dir.path() / "absent.json").string()), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("ENOENT"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace benchrun::reports
