// vm+container's pure parts: the inner command, the guest's size, benchrun's place in the image and the
// names of the guest-clock phases.
#include "harness/backends/vm_container.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "sys/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::harness {
namespace {

using ::testing::ElementsAre;

TEST(VmContainer, InnerCommandRunsTheWorkloadInTheNestedImageWithTheLimitsAndPhasesOnTheConsole) {
  InstanceSpec spec;
  spec.workload = "spin";
  spec.workload_args = {"100"};
  spec.limits.memory_bytes = 64ULL << 20;
  spec.limits.cpus = 0.5;
  spec.limits.pids_max = 32;
  spec.limits.cpuset_cpus = "0-1";
  EXPECT_THAT(nested_container_argv("/usr/bin/benchrun", spec),
              ElementsAre("/usr/bin/benchrun", "run", "--backend", "container", "--verbose", "--phases-fd", "2",
                          "--images-dir", "/images", "--image", "default", "--memory", "67108864", "--cpus", "0.5",
                          "--pids", "32", "--cpuset", "0-1", "/bench/bin/spin", "100"));
}

TEST(VmContainer, InnerCommandCarriesTheIsolationSwitches) {
  InstanceSpec spec;
  spec.workload = "/bin/true";
  spec.hostname = "inner";
  spec.network_namespace = false;
  spec.user_namespace = true;
  spec.seccomp = false;
  EXPECT_THAT(nested_container_argv("/b", spec),
              ElementsAre("/b", "run", "--backend", "container", "--verbose", "--phases-fd", "2", "--images-dir",
                          "/images", "--image", "default", "--hostname", "inner", "--no-network-namespace",
                          "--user-namespace", "--no-seccomp", "/bin/true"));
}

TEST(VmContainer, InnerCommandRefusesAWorkloadArgumentTheInnerBenchrunWouldTakeForAnOption) {
  // The guest kernel gives init nothing after a second "--", so the command has none to protect its arguments.
  InstanceSpec spec;
  spec.workload = "spin";
  spec.workload_args = {"-5"};
  EXPECT_THROW(nested_container_argv("/b", spec), sys::Error);
}

TEST(VmContainer, GuestHoldsTheMemoryLimitOnTopOfWhatItNeedsItself) {
  const GuestSize unlimited = nested_guest_size({}, 10ULL << 20);
  EXPECT_EQ(unlimited.memory_mib, 256U);
  EXPECT_EQ(unlimited.vcpus, 1U);
  // A big initramfs must fit the rootfs tmpfs (half the RAM the kernel counts, without the initramfs).
  EXPECT_EQ(nested_guest_size({}, 100ULL << 20).memory_mib, 128U + 300U);
  reports::Limits limits;
  limits.memory_bytes = 512ULL << 20;
  EXPECT_EQ(nested_guest_size(limits, 10ULL << 20).memory_mib, 256U + 512U);
}

TEST(VmContainer, EveryGuestBootsInAtLeastWhatItsInitramfsNeeds) {
  EXPECT_EQ(guest_memory_floor_mib(0), 256U);
  EXPECT_EQ(guest_memory_floor_mib(6ULL << 20), 256U);  // the default image: today's 256 MiB guests
  // The 121 MiB guest image failed to unpack in 370 MiB (2x + 128) and booted in 512 MiB.
  EXPECT_EQ(guest_memory_floor_mib(121ULL << 20), 128U + 363U);
  EXPECT_EQ(guest_memory_floor_mib((100ULL << 20) + 1), 128U + 303U);  // a started MiB counts whole
}

TEST(VmContainer, GuestHasAVcpuForTheQuotaAndForEveryCpuTheCpusetNames) {
  reports::Limits limits;
  limits.cpus = 1.5;
  EXPECT_EQ(nested_guest_size(limits, 0).vcpus, 2U);
  limits.cpuset_cpus = "0,3";
  EXPECT_EQ(nested_guest_size(limits, 0).vcpus, 4U);
  EXPECT_EQ(highest_cpu_of("0-2,5-6"), 6U);
  EXPECT_EQ(highest_cpu_of("1"), 1U);
  for (const char* bad : {"", "a", "0-", ",1", "1,,2", "99999"}) EXPECT_THROW(highest_cpu_of(bad), sys::Error) << bad;
}

TEST(VmContainer, BenchrunIsFoundWhereTheGuestImagePutsItElseWhereItRunsFrom) {
  testing::TempDir rootfs;
  const std::filesystem::path own = "/opt/build/benchrun";
  std::filesystem::create_directories(rootfs.path() / "opt/build");
  std::ofstream(rootfs.path() / "opt/build/benchrun") << "x";
  EXPECT_THROW(benchrun_in_guest(rootfs.path(), own), sys::Error) << "no nested image";
  std::filesystem::create_directories(rootfs.path() / "images/default/rootfs/sbin");
  std::ofstream(rootfs.path() / "images/default/rootfs/sbin/benchinit") << "x";
  std::filesystem::remove(rootfs.path() / "opt/build/benchrun");
  EXPECT_THROW(benchrun_in_guest(rootfs.path(), own), sys::Error) << "no benchrun";
  std::ofstream(rootfs.path() / "opt/build/benchrun") << "x";
  EXPECT_EQ(benchrun_in_guest(rootfs.path(), own), "/opt/build/benchrun");
  std::filesystem::create_directories(rootfs.path() / "usr/bin");
  std::ofstream(rootfs.path() / "usr/bin/benchrun") << "x";
  EXPECT_EQ(benchrun_in_guest(rootfs.path(), own), "/usr/bin/benchrun");
}

TEST(VmContainer, GuestClockPhasesBecomeMetricsWithTheirOwnNamesAndUnknownOnesAreLeftOut) {
  EXPECT_EQ(guest_container_metric("cloned"), "guest_container_cloned_ms");
  const std::vector<std::pair<std::string, double>> metrics =
      guest_container_metrics({{"cloned", 1.5}, {"exec", 4.0}, {"something_new", 9.0}});
  EXPECT_THAT(metrics, ElementsAre(std::pair<std::string, double>{"guest_container_cloned_ms", 1.5},
                                   std::pair<std::string, double>{"guest_container_exec_ms", 4.0}));
}

}  // namespace
}  // namespace benchrun::harness
