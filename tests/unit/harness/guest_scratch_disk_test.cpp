// vm+container's scratch disk on the host's side (GuestScratchDisk, Content::ext4): a raw file of
// guest_scratch_disk_bytes under the scratch root with an ext4 on it (run_mkfs: mkfs.ext4 works on a plain
// file, no root needed), gone with its folder when the object goes; a tmpfs root is refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>

#include "harness/suites/limits_vm_io.hpp"
#include "sys/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::harness {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// ext4's superblock starts 1024 bytes in; its magic 0xEF53 (little-endian) is at offset 56 of it.
bool has_ext_superblock(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(1024 + 56);
  unsigned char magic[2] = {};
  in.read(reinterpret_cast<char*>(magic), 2);
  return in && magic[0] == 0x53 && magic[1] == 0xEF;
}

TEST(GuestScratchDisk, IsAnExt4FileUnderTheRootRemovedWithItsFolder) {
  const testing::TempDir root{"benchrun-guest-scratch-unit"};
  // QEMU (libvirt-qemu) must reach the file: the disk refuses a root others cannot enter (mkdtemp: 0700).
  fs::permissions(root.path(), fs::perms::others_exec, fs::perm_options::add);
  fs::path file;
  {
    const GuestScratchDisk disk(root.path() / "scratch", "io-read-bps-scratch", GuestScratchDisk::Content::ext4);
    file = disk.file();
    ASSERT_TRUE(fs::is_regular_file(file));
    EXPECT_EQ(file.parent_path().parent_path(), root.path() / "scratch");
    EXPECT_EQ(fs::file_size(file), guest_scratch_disk_bytes);
    EXPECT_TRUE(has_ext_superblock(file));
  }
  EXPECT_FALSE(fs::exists(file.parent_path()));
  EXPECT_FALSE(fs::exists(root.path() / "scratch")) << "the root it made is removed too";
}

TEST(GuestScratchDisk, RefusesARootQemuCannotEnter) {
  const testing::TempDir root{"benchrun-guest-scratch-unit"};
  fs::permissions(root.path(), fs::perms::others_exec, fs::perm_options::remove);
  try {
    const GuestScratchDisk disk(root.path(), "page-cache-scratch", GuestScratchDisk::Content::ext4);
    FAIL() << "made a disk QEMU cannot open";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("keeps QEMU, which runs as libvirt-qemu, from the guest's disk"));
  }
  EXPECT_TRUE(fs::is_empty(root.path()));
}

}  // namespace
}  // namespace benchrun::harness
