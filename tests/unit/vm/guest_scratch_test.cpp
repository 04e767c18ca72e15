// benchrun.scratch=<device>: the devices benchinit mounts as a guest's scratch folder, and those it refuses.
#include "vm/guest_scratch.hpp"

#include <gtest/gtest.h>

namespace benchrun::vm {
namespace {

TEST(GuestScratch, AcceptsAWholeVirtioDisk) {
  EXPECT_TRUE(valid_scratch_device("/dev/vda"));
  EXPECT_TRUE(valid_scratch_device("/dev/vdz"));
  EXPECT_TRUE(valid_scratch_device(guest_scratch_device));
  static_assert(valid_scratch_device("/dev/vdb"));
}

TEST(GuestScratch, RefusesPartitionsOtherDevicesAndPaths) {
  for (const char* bad : {"", "/dev/vd", "/dev/vda1", "/dev/sda", "/dev/vdA", "dev/vda", "/dev/vdaa", "/dev/vd1",
                          "/tmp/x", "/dev/../vda"}) {
    EXPECT_FALSE(valid_scratch_device(bad)) << bad;
  }
}

TEST(GuestScratch, TheFolderIsOffTheGuestsTmpfsRoot) {
  // benchinit mounts there; the inner benchrun's --scratch-dir is it (an absolute path, not under /tmp, which
  // benchinit uses as the stepping stone of the pivotable root).
  EXPECT_TRUE(guest_scratch_folder.starts_with("/var/"));
}

}  // namespace
}  // namespace benchrun::vm
