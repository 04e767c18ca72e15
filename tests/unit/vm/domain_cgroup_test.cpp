// A guest's CPU weight: <cputune><shares> in the domain XML (valid for libvirt's schema, in libvirt's range), and
// the host's read of the domain's cgroup by name: which level carries the shares, and the vCPU threads' CPU time.
#include "vm/domain_cgroup.hpp"

#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sys/error.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "vm/domain_xml.hpp"
#include "vm/tunables.hpp"

namespace benchrun::vm {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(CpuShares, RenderedInCputuneAndNeedTheCgroups) {
  DomainTunables tunables;
  tunables.cpu_shares = 300;
  tunables.cpuset = "1";
  const std::string xml = cputune_xml(tunables, 1);
  EXPECT_THAT(xml, HasSubstr("<shares>300</shares>"));
  EXPECT_THAT(xml, HasSubstr("<emulatorpin cpuset='1'/>"));
  EXPECT_TRUE(tunables.need_cgroups());
  EXPECT_FALSE(tunables.empty());

  DomainTunables alone;
  alone.cpu_shares = 100;
  EXPECT_EQ(cputune_xml(alone, 1), "  <cputune>\n    <shares>100</shares>\n  </cputune>\n");
}

TEST(CpuShares, OutsideLibvirtsRangeIsRefused) {
  for (const std::uint64_t shares : {0ULL, 1ULL, 262'145ULL}) {
    DomainTunables tunables;
    tunables.cpu_shares = shares;
    EXPECT_THROW(cputune_xml(tunables, 1), sys::Error) << shares;
  }
  DomainTunables edge;
  edge.cpu_shares = 262'144;
  EXPECT_THAT(cputune_xml(edge, 1), HasSubstr("<shares>262144</shares>"));
}

TEST(CpuShares, TheDomainValidatesAgainstLibvirtsSchema) {
  if (::access("/usr/bin/virt-xml-validate", X_OK) != 0) {
    GTEST_FAIL() << "virt-xml-validate is missing: apt-get install libvirt-clients (scripts/setup.sh)";
  }
  DomainSpec spec;
  spec.name = "benchrun-unit-0";
  spec.domain_type = "qemu";
  spec.vcpus = 1;
  spec.kernel = "/var/lib/benchrun/runs/x/boot/vmlinuz";
  spec.initramfs = "/var/lib/benchrun/runs/x/boot/initramfs.cpio";
  spec.cmdline = kernel_cmdline({"/bench/bin/burner", "3000"});
  spec.console_fifo = "/var/lib/benchrun/runs/x/benchrun-unit-0.console";
  spec.tunables.cpu_shares = 300;
  spec.tunables.cpuset = "1";
  const std::string xml = domain_xml(spec);
  const benchrun::testing::TempDir dir("benchrun-shares");
  std::ofstream(dir.path() / "domain.xml") << xml;
  const auto validated =
      benchrun::testing::run_command({"virt-xml-validate", (dir.path() / "domain.xml").string(), "domain"});
  EXPECT_EQ(validated.exit_code, 0) << validated.out << validated.err << xml;
}

TEST(DomainCgroup, FoundByNameUnderTheMachinePartitionOfEachVersion) {
  const benchrun::testing::TempDir root("benchrun-domain-cgroup");
  fs::create_directories(root.path() / "cpu/machine/qemu-embed-3822ccca-1-benchrun-run-1.libvirt-qemu");
  fs::create_directories(root.path() / "cpu/machine/qemu-embed-3822ccca-2-benchrun-run-11.libvirt-qemu");
  fs::create_directories(root.path() / "machine/qemu-embed-3822ccca-3-benchrun-run-2.libvirt-qemu");
  EXPECT_EQ(find_domain_cpu_cgroup(root.path(), true, "benchrun-run-1"),
            root.path() / "cpu/machine/qemu-embed-3822ccca-1-benchrun-run-1.libvirt-qemu");
  EXPECT_EQ(find_domain_cpu_cgroup(root.path(), true, "benchrun-run-11"),
            root.path() / "cpu/machine/qemu-embed-3822ccca-2-benchrun-run-11.libvirt-qemu");
  EXPECT_EQ(find_domain_cpu_cgroup(root.path(), true, "run-1"), std::nullopt);  // a tail of a name is not it
  EXPECT_EQ(find_domain_cpu_cgroup(root.path(), true, "1-benchrun-run-1"), std::nullopt);
  fs::create_directories(root.path() / "cpu/machine/qemu-4-benchrun-run-4.libvirt-qemu");  // the system driver's
  EXPECT_EQ(find_domain_cpu_cgroup(root.path(), true, "benchrun-run-4"),
            root.path() / "cpu/machine/qemu-4-benchrun-run-4.libvirt-qemu");
  EXPECT_EQ(find_domain_cpu_cgroup(root.path(), true, "benchrun-run-2"), std::nullopt);
  EXPECT_EQ(find_domain_cpu_cgroup(root.path(), false, "benchrun-run-2"),
            root.path() / "machine/qemu-embed-3822ccca-3-benchrun-run-2.libvirt-qemu");
  EXPECT_EQ(find_domain_cpu_cgroup(root.path() / "absent", false, "benchrun-run-2"), std::nullopt);
}

TEST(DomainCgroup, TheSharesAreReadWhereLibvirtPutsThemAndTheThreadsFromEveryVcpu) {
  const benchrun::testing::TempDir root("benchrun-domain-cgroup");
  const fs::path v1 = root.path() / "v1";
  write(v1 / "cpu.shares", "300\n");
  write(v1 / "vcpu0/cpu.shares", "1024\n");
  write(v1 / "vcpu0/tasks", "4242\n");
  write(v1 / "vcpu1/tasks", "4243\n");
  write(v1 / "emulator/tasks", "4240\n4241\n");
  const DomainCpuCgroup read_v1 = read_domain_cpu_cgroup(v1, true);
  EXPECT_EQ(read_v1.weight, 300U);
  EXPECT_EQ(read_v1.vcpu_weight, 1024U);
  EXPECT_THAT(read_v1.vcpu_threads, ElementsAre(4242, 4243));

  const fs::path v2 = root.path() / "v2";
  write(v2 / "cpu.weight", "100\n");
  write(v2 / "vcpu0/cpu.weight", "100\n");
  write(v2 / "vcpu0/cgroup.threads", "77\n");
  const DomainCpuCgroup read_v2 = read_domain_cpu_cgroup(v2, false);
  EXPECT_EQ(read_v2.weight, 100U);
  EXPECT_THAT(read_v2.vcpu_threads, ElementsAre(77));

  const DomainCpuCgroup gone = read_domain_cpu_cgroup(root.path() / "gone", true);
  EXPECT_EQ(gone.weight, std::nullopt);
  EXPECT_TRUE(gone.vcpu_threads.empty());
}

TEST(DomainCgroup, TheVcpuThreadsTimeIsTheirSchedstatsSum) {
  const benchrun::testing::TempDir proc("benchrun-proc");
  write(proc.path() / "10/schedstat", "1500000 20000 7\n");
  write(proc.path() / "11/schedstat", "2500000 10000 3\n");
  EXPECT_EQ(threads_cpu_ns({10, 11}, proc.path()), 4'000'000U);
  EXPECT_EQ(threads_cpu_ns({10, 12}, proc.path()), 1'500'000U);  // 12 went
  EXPECT_EQ(threads_cpu_ns({12}, proc.path()), std::nullopt);
  // The real file of a thread of ours.
  EXPECT_TRUE(threads_cpu_ns({::gettid()}).has_value());
}

}  // namespace
}  // namespace benchrun::vm
