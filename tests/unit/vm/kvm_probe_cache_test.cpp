// The probe verdict is kept per kernel, QEMU and libvirt version: asked once, then read back; a change of
// any of the three, or a damaged file, means probing again.
#include "vm/kvm_probe_cache.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "sys/file_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::vm {
namespace {

class KvmProbeCache : public ::testing::Test {
 protected:
  // A probe that counts its runs and answers `failure`.
  KvmProbe counting_probe(std::optional<std::string> failure) {
    return [this, failure] {
      ++probes_;
      return failure;
    };
  }

  std::filesystem::path file() const { return dir_ / "sub" / "kvm-probe.json"; }

  const benchrun::testing::TempDir temp_dir_{"benchrun-probe-cache"};
  const std::filesystem::path dir_ = temp_dir_.path();
  int probes_ = 0;
  const KvmProbeKey key_{"6.1.0 #1 SMP", "7.2.0", "9.0.0"};
};

TEST_F(KvmProbeCache, ASuccessIsProbedOnceThenReadBack) {
  EXPECT_EQ(cached_kvm_probe(file(), key_, counting_probe(std::nullopt))(), std::nullopt);
  EXPECT_EQ(cached_kvm_probe(file(), key_, counting_probe("not asked"))(), std::nullopt);
  EXPECT_EQ(probes_, 1);
}

TEST_F(KvmProbeCache, AFailureIsKeptWithItsReason) {
  EXPECT_EQ(cached_kvm_probe(file(), key_, counting_probe("hung after Probing EDD"))(), "hung after Probing EDD");
  EXPECT_EQ(cached_kvm_probe(file(), key_, counting_probe(std::nullopt))(), "hung after Probing EDD");
  EXPECT_EQ(probes_, 1);
}

TEST_F(KvmProbeCache, ANewQemuKernelOrLibvirtProbesAgainAndKeepsTheOldVerdict) {
  cached_kvm_probe(file(), key_, counting_probe("old QEMU fails"))();
  KvmProbeKey new_qemu = key_;
  new_qemu.qemu = "8.0.0";
  EXPECT_EQ(cached_kvm_probe(file(), new_qemu, counting_probe(std::nullopt))(), std::nullopt);
  KvmProbeKey new_kernel = key_;
  new_kernel.kernel = "6.2.0 #1 SMP";
  cached_kvm_probe(file(), new_kernel, counting_probe(std::nullopt))();
  KvmProbeKey new_libvirt = key_;
  new_libvirt.libvirt = "10.0.0";
  cached_kvm_probe(file(), new_libvirt, counting_probe(std::nullopt))();
  EXPECT_EQ(probes_, 4);
  EXPECT_EQ(cached_kvm_probe(file(), key_, counting_probe(std::nullopt))(), "old QEMU fails");
  EXPECT_EQ(probes_, 4);
}

TEST_F(KvmProbeCache, ADamagedFileMeansProbingAgainAndIsRewritten) {
  std::filesystem::create_directories(file().parent_path());
  std::ofstream(file()) << "{\"format\": \"benchrun.kvm-probe/1\", \"entries\": [";
  EXPECT_EQ(cached_kvm_probe(file(), key_, counting_probe(std::nullopt))(), std::nullopt);
  EXPECT_EQ(probes_, 1);
  EXPECT_THAT(sys::read_file(file()), ::testing::HasSubstr("\"qemu\": \"7.2.0\""));
}

TEST_F(KvmProbeCache, AnUnwritableCacheStillAnswers) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "sub") << "a file where the folder should be";
  EXPECT_EQ(cached_kvm_probe(file(), key_, counting_probe("fails"))(), "fails");
  EXPECT_EQ(cached_kvm_probe(file(), key_, counting_probe("fails"))(), "fails");
  EXPECT_EQ(probes_, 2);
}

}  // namespace
}  // namespace benchrun::vm
