// The sweep's removal of the cgroups libvirt's embedded driver leaves of a killed run's guest, on a stand-in
// cgroup tree in a temporary folder: only <hierarchy>/machine/qemu-embed-*-<prefix>*.libvirt-qemu folders go,
// children first, and one that still holds something (a cgroup with a task refuses rmdir the same way) stays.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.hpp"
#include "vm/sweep.hpp"

namespace benchrun::vm {
namespace {

namespace fs = std::filesystem;

TEST(SweepMachineCgroups, RemovesALeftGuestsEmptyCgroupsAndNothingElse) {
  const testing::TempDir root;
  const fs::path machine = root.path() / "cpu" / "machine";
  const fs::path left = machine / "qemu-embed-3822ccca-1-benchrun-20261206-112347-d8b8-0.libvirt-qemu";
  const fs::path busy = machine / "qemu-embed-3822ccca-2-benchrun-20261206-112347-d8b8-1.libvirt-qemu";
  const fs::path other = machine / "qemu-embed-3822ccca-3-someone-else-0.libvirt-qemu";
  const fs::path unified_left = root.path() / "unified" / "machine" / left.filename();
  for (const auto& dir : {left / "vcpu0", left / "emulator", busy / "vcpu0", other / "vcpu0", unified_left / "vcpu0"}) {
    fs::create_directories(dir);
  }
  std::ofstream(busy / "vcpu0" / "tasks") << "4242\n";  // a task: rmdir refuses it

  remove_leftover_machine_cgroups("benchrun-", root.path());

  EXPECT_FALSE(fs::exists(left));
  EXPECT_FALSE(fs::exists(unified_left));
  EXPECT_TRUE(fs::exists(busy / "vcpu0" / "tasks"));
  EXPECT_TRUE(fs::exists(other / "vcpu0"));
  EXPECT_TRUE(fs::exists(machine)) << "the partition is the run's MachinePartitions' to remove";
}

TEST(SweepMachineCgroups, AHostWithoutMachinePartitionsIsNothingToDo) {
  const testing::TempDir root;
  fs::create_directories(root.path() / "cpu");
  EXPECT_NO_THROW(remove_leftover_machine_cgroups("benchrun-", root.path()));
  EXPECT_NO_THROW(remove_leftover_machine_cgroups("benchrun-", root.path() / "missing"));
}

}  // namespace
}  // namespace benchrun::vm
