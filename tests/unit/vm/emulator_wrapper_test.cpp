// The emulator wrapper on the host side: its stamp read back from a domain log, its copy staged once.
#include "vm/emulator_wrapper.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"
#include "vm/qemu_wrapper/qemu_exec_stamp.hpp"

namespace benchrun::vm {
namespace {

class EmulatorWrapper : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(root_ / "log" / "qemu"); }

  void write_log(const std::string& name, const std::string& text) const {
    std::ofstream(root_ / "log" / "qemu" / (name + ".log")) << text;
  }

  const benchrun::testing::TempDir temp_dir_{"benchrun-wrapper-test"};
  const std::filesystem::path root_ = temp_dir_.path();
};

TEST_F(EmulatorWrapper, TheStampAfterLibvirtsHeaderIsRead) {
  write_log("g", "2026-12-02 10:48:15.368+0000: starting up libvirt version: 9.0.0\nLC_ALL=C \\\n/usr/bin/qemu \\\n" +
                     std::string(qemu_exec_stamp_prefix) + "123456789012\nqemu: some warning\n");
  EXPECT_EQ(read_qemu_exec_stamp(root_, "g"), 123456789012);
}

TEST_F(EmulatorWrapper, TheLastStampWinsWhenANameWasStartedTwice) {
  write_log("g", std::string(qemu_exec_stamp_prefix) + "100\n" + qemu_exec_stamp_prefix + "200\n");
  EXPECT_EQ(read_qemu_exec_stamp(root_, "g"), 200);
}

TEST_F(EmulatorWrapper, NoLogNoStampOrAPartialStampIsNoPhase) {
  EXPECT_EQ(read_qemu_exec_stamp(root_, "absent"), std::nullopt);
  write_log("plain", "started by plain QEMU\n");
  EXPECT_EQ(read_qemu_exec_stamp(root_, "plain"), std::nullopt);
  write_log("cut", std::string(qemu_exec_stamp_prefix) + "12345");
  EXPECT_EQ(read_qemu_exec_stamp(root_, "cut"), std::nullopt);
  write_log("garbage", std::string(qemu_exec_stamp_prefix) + "x\n");
  EXPECT_EQ(read_qemu_exec_stamp(root_, "garbage"), std::nullopt);
}

TEST_F(EmulatorWrapper, StagingCopiesOnceAndExecutably) {
  const auto source = root_ / "built-wrapper";
  std::ofstream(source) << "#!/bin/sh\n";
  const auto staged = stage_emulator_wrapper(source, root_ / "state");
  EXPECT_EQ(staged, root_ / "state" / "bin" / emulator_wrapper_name);
  struct stat first {};
  ASSERT_EQ(::stat(staged.c_str(), &first), 0);
  EXPECT_EQ(first.st_mode & 0777, 0755U);
  stage_emulator_wrapper(source, root_ / "state");
  struct stat second {};
  ASSERT_EQ(::stat(staged.c_str(), &second), 0);
  EXPECT_EQ(first.st_ino, second.st_ino) << "an identical copy was replaced (libvirt would probe it again)";
  std::ofstream(source) << "#!/bin/sh\nexit 0\n";
  stage_emulator_wrapper(source, root_ / "state");
  struct stat third {};
  ASSERT_EQ(::stat(staged.c_str(), &third), 0);
  EXPECT_NE(first.st_ino, third.st_ino) << "a changed wrapper was not copied again";
}

}  // namespace
}  // namespace benchrun::vm
