// scripts/build-image.sh into a scratch --out: a complete image, the same bytes for the same inputs, no
// work when nothing changed, nothing half-built left behind, and one clear line when an input is missing.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sys/file_io.hpp"
#include "tests/integration/image/spawned_process.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// `out`: stdout, then stderr. Through SpawnedProcess for its time limit.
CommandResult build_image(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{std::string(BENCHRUN_SOURCE_DIR) + "/scripts/build-image.sh"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  SpawnedProcess process = SpawnedProcess::start(argv);
  int status = process.finish(120s);
  CommandResult run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  for (const OutputLine& line : process.stdout_lines()) run.out += line.text + "\n";
  run.out += process.stderr_text();
  return run;
}

const std::string kWorkloadsDir = std::string(BENCHRUN_BINARY_DIR) + "/bench/workloads";

class BuildImageScript : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kWorkloadsDir + "/benchinit"))
        << "workloads not built in " << kWorkloadsDir << ": cmake --build <build dir> --target benchrun_image";
  }
  TempDir out_;
};

TEST_F(BuildImageScript, BuildsOnceThenFindsTheImageUpToDate) {
  CommandResult first = build_image({"--workloads-dir", kWorkloadsDir, "--out", out_.path().string()});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_NE(first.out.find("build-image.sh: built"), std::string::npos) << first.out;
  for (const char* part : {"rootfs/sbin/benchinit", "initramfs.cpio", "vmlinuz", "manifest.json"}) {
    EXPECT_TRUE(fs::exists(out_.path() / "default" / part)) << part;
  }
  CommandResult second = build_image({"--workloads-dir", kWorkloadsDir, "--out", out_.path().string()});
  ASSERT_EQ(second.exit_code, 0) << second.out;
  EXPECT_NE(second.out.find("is up to date"), std::string::npos) << second.out;
}

TEST_F(BuildImageScript, SameInputsGiveTheSameInitramfsBytes) {
  for (const char* name : {"first", "second"}) {
    CommandResult run = build_image({"--name", name, "--workloads-dir", kWorkloadsDir, "--out", out_.path().string()});
    ASSERT_EQ(run.exit_code, 0) << run.out;
  }
  std::string first = sys::read_file(out_.path() / "first" / "initramfs.cpio");
  EXPECT_FALSE(first.empty());
  EXPECT_TRUE(first == sys::read_file(out_.path() / "second" / "initramfs.cpio"));
}

TEST_F(BuildImageScript, RebuildReplacesTheImageAndLeavesNoStagingDirs) {
  CommandResult first = build_image({"--workloads-dir", kWorkloadsDir, "--out", out_.path().string()});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  // A manifest that no longer matches the inputs forces a rebuild.
  std::ofstream(out_.path() / "default" / "manifest.json") << "{}";
  CommandResult rebuilt = build_image({"--workloads-dir", kWorkloadsDir, "--out", out_.path().string()});
  ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.out;
  EXPECT_NE(rebuilt.out.find("build-image.sh: built"), std::string::npos) << rebuilt.out;
  EXPECT_NE(sys::read_file(out_.path() / "default" / "manifest.json"), "{}");
  for (const fs::directory_entry& entry : fs::directory_iterator(out_.path())) {
    std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "default" || name == ".default.lock") << "left behind: " << name;
  }
}

TEST_F(BuildImageScript, MissingWorkloadsIsOneClearError) {
  TempDir empty_workloads;
  CommandResult run = build_image({"--workloads-dir", empty_workloads.path().string(), "--out", out_.path().string()});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out.rfind("build-image.sh: missing " + (empty_workloads.path() / "benchinit").string(), 0), 0U)
      << run.out;
  EXPECT_FALSE(fs::exists(out_.path() / "default"));
}

TEST_F(BuildImageScript, UnknownOptionIsUsageAndExitTwo) {
  CommandResult run = build_image({"--bogus"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out.rfind("usage: build-image.sh", 0), 0U) << run.out;
}

}  // namespace
}  // namespace benchrun::testing
