// scripts/build-image.sh into a scratch --out: a complete image, the same bytes for the same inputs, no
// work when nothing changed, nothing half-built left behind, and one clear line when an input is missing.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/integration/image/spawned_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;


struct ScriptRun {
  int exit_status = -1;
  std::string output;  // stdout and stderr
};

ScriptRun build_image(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{std::string(BENCHRUN_SOURCE_DIR) + "/scripts/build-image.sh"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  SpawnedProcess process = SpawnedProcess::start(argv);
  int status = process.finish(120s);
  ScriptRun run;
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  for (const OutputLine& line : process.stdout_lines()) run.output += line.text + "\n";
  run.output += process.stderr_text();
  return run;
}

std::string file_bytes(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
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
  ScriptRun first = build_image({"--workloads-dir", kWorkloadsDir, "--out", out_.path().string()});
  ASSERT_EQ(first.exit_status, 0) << first.output;
  EXPECT_NE(first.output.find("build-image.sh: built"), std::string::npos) << first.output;
  for (const char* part : {"rootfs/sbin/benchinit", "initramfs.cpio", "vmlinuz", "manifest.json"}) {
    EXPECT_TRUE(fs::exists(out_.path() / "default" / part)) << part;
  }
  ScriptRun second = build_image({"--workloads-dir", kWorkloadsDir, "--out", out_.path().string()});
  ASSERT_EQ(second.exit_status, 0) << second.output;
  EXPECT_NE(second.output.find("is up to date"), std::string::npos) << second.output;
}

TEST_F(BuildImageScript, SameInputsGiveTheSameInitramfsBytes) {
  for (const char* name : {"first", "second"}) {
    ScriptRun run = build_image({"--name", name, "--workloads-dir", kWorkloadsDir, "--out", out_.path().string()});
    ASSERT_EQ(run.exit_status, 0) << run.output;
  }
  std::string first = file_bytes(out_.path() / "first" / "initramfs.cpio");
  EXPECT_FALSE(first.empty());
  EXPECT_TRUE(first == file_bytes(out_.path() / "second" / "initramfs.cpio"));
}

TEST_F(BuildImageScript, RebuildReplacesTheImageAndLeavesNoStagingDirs) {
  ScriptRun first = build_image({"--workloads-dir", kWorkloadsDir, "--out", out_.path().string()});
  ASSERT_EQ(first.exit_status, 0) << first.output;
  // A manifest that no longer matches the inputs forces a rebuild.
  std::ofstream(out_.path() / "default" / "manifest.json") << "{}";
  ScriptRun rebuilt = build_image({"--workloads-dir", kWorkloadsDir, "--out", out_.path().string()});
  ASSERT_EQ(rebuilt.exit_status, 0) << rebuilt.output;
  EXPECT_NE(rebuilt.output.find("build-image.sh: built"), std::string::npos) << rebuilt.output;
  EXPECT_NE(file_bytes(out_.path() / "default" / "manifest.json"), "{}");
  for (const fs::directory_entry& entry : fs::directory_iterator(out_.path())) {
    std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "default" || name == ".default.lock") << "left behind: " << name;
  }
}

TEST_F(BuildImageScript, MissingWorkloadsIsOneClearError) {
  TempDir empty_workloads;
  ScriptRun run = build_image({"--workloads-dir", empty_workloads.path().string(), "--out", out_.path().string()});
  EXPECT_EQ(run.exit_status, 1);
  EXPECT_EQ(run.output.rfind("build-image.sh: missing " + (empty_workloads.path() / "benchinit").string(), 0), 0U)
      << run.output;
  EXPECT_FALSE(fs::exists(out_.path() / "default"));
}

TEST_F(BuildImageScript, UnknownOptionIsUsageAndExitTwo) {
  ScriptRun run = build_image({"--bogus"});
  EXPECT_EQ(run.exit_status, 2);
  EXPECT_EQ(run.output.rfind("usage: build-image.sh", 0), 0U) << run.output;
}

}  // namespace
}  // namespace benchrun::testing
