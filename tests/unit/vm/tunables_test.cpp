// A guest's limits in its domain XML: the <cputune> and <iotune> elements libvirt reads (valid for its schema,
// checked by virt-xml-validate), the per-vCPU quota for a fraction of CPUs, and the values libvirt would refuse.
#include "vm/tunables.hpp"

#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sys/error.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "vm/domain_xml.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::vm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

DomainSpec spec_with(const DomainTunables& tunables, unsigned vcpus) {
  DomainSpec spec;
  spec.name = "benchrun-unit-0";
  spec.domain_type = "qemu";
  spec.vcpus = vcpus;
  spec.kernel = "/var/lib/benchrun/runs/x/boot/vmlinuz";
  spec.initramfs = "/var/lib/benchrun/runs/x/boot/initramfs.cpio";
  spec.cmdline = kernel_cmdline({"/bench/bin/burner", "3000"});
  spec.console_fifo = "/var/lib/benchrun/runs/x/benchrun-unit-0.console";
  spec.disk_files = {"/var/lib/benchrun/runs/x/disk0.img"};
  spec.tunables = tunables;
  return spec;
}

int validate_status(const std::string& xml, std::string& output) {
  if (::access("/usr/bin/virt-xml-validate", X_OK) != 0) {
    output = "virt-xml-validate is missing: apt-get install libvirt-clients (scripts/setup.sh)";
    return -1;
  }
  const benchrun::testing::TempDir dir("benchrun-tunables");
  std::ofstream(dir.path() / "domain.xml") << xml;
  const auto validated =
      benchrun::testing::run_command({"virt-xml-validate", (dir.path() / "domain.xml").string(), "domain"});
  output = validated.out + validated.err;
  return validated.exit_code;
}

TEST(VcpuQuota, AFractionOfACpuIsThatShareOfEveryPeriod) {
  EXPECT_EQ(vcpu_quota_for(0.25, 1, 100'000), 25'000U);
  EXPECT_EQ(vcpu_quota_for(1.5, 2, 100'000), 75'000U);  // spread over the vCPUs: each gets 0.75 of a CPU
}

TEST(VcpuQuota, NothingToThrottleWhenEveryVcpuMayUseAWholeCpu) {
  EXPECT_EQ(vcpu_quota_for(1.0, 1, 100'000), std::nullopt);
  EXPECT_EQ(vcpu_quota_for(2.0, 2, 100'000), std::nullopt);
  EXPECT_EQ(vcpu_quota_for(0.0, 1, 100'000), std::nullopt);
}

TEST(VcpuQuota, NeverBelowWhatLibvirtAccepts) { EXPECT_EQ(vcpu_quota_for(0.001, 1, 100'000), 1'000U); }

TEST(Cputune, QuotaAndPinsForEveryVcpuAndTheEmulator) {
  DomainTunables tunables;
  tunables.vcpu_quota_us = 25'000;
  tunables.cpuset = "1";
  const std::string xml = cputune_xml(tunables, 2);
  EXPECT_THAT(xml, HasSubstr("<vcpupin vcpu='0' cpuset='1'/>"));
  EXPECT_THAT(xml, HasSubstr("<vcpupin vcpu='1' cpuset='1'/>"));
  EXPECT_THAT(xml, HasSubstr("<emulatorpin cpuset='1'/>"));
  EXPECT_THAT(xml, HasSubstr("<period>100000</period>"));
  EXPECT_THAT(xml, HasSubstr("<quota>25000</quota>"));
  EXPECT_TRUE(tunables.need_cgroups());
}

TEST(Cputune, NoElementWithoutQuotaOrCpuset) {
  EXPECT_EQ(cputune_xml({}, 1), "");
  EXPECT_EQ(iotune_xml({}), "");
  EXPECT_THAT(domain_xml(spec_with({}, 1)), Not(HasSubstr("tune>")));
  EXPECT_FALSE(DomainTunables{}.need_cgroups());
}

TEST(Cputune, PinningAloneNeedsNoCgroup) {
  DomainTunables tunables;
  tunables.cpuset = "0-1";
  tunables.disk_total_bytes_sec = 1 << 20;
  EXPECT_FALSE(tunables.need_cgroups());
}

TEST(Cputune, RefusesWhatLibvirtWouldRefuse) {
  DomainTunables bad_cpuset;
  bad_cpuset.cpuset = "1;2";
  EXPECT_THROW(cputune_xml(bad_cpuset, 1), sys::Error);
  DomainTunables low_quota;
  low_quota.vcpu_quota_us = 999;
  EXPECT_THROW(cputune_xml(low_quota, 1), sys::Error);
  DomainTunables long_period;
  long_period.vcpu_quota_us = 25'000;
  long_period.vcpu_period_us = 2'000'000;
  EXPECT_THROW(cputune_xml(long_period, 1), sys::Error);
  DomainTunables no_rate;
  no_rate.disk_total_bytes_sec = 0;
  EXPECT_THROW(iotune_xml(no_rate), sys::Error);
}

TEST(Iotune, EveryDiskGetsTheRate) {
  DomainTunables tunables;
  tunables.disk_total_bytes_sec = 4 << 20;
  const std::string disks = disk_devices({"/a.img", "/b.img"}, tunables);
  const std::string rate = "<iotune><total_bytes_sec>4194304</total_bytes_sec></iotune>";
  EXPECT_EQ(disks.find(rate) != std::string::npos && disks.find(rate) != disks.rfind(rate), true) << disks;
}

TEST(Tunables, TheDomainWithEveryTunableValidatesAgainstLibvirtSchema) {
  DomainTunables tunables;
  tunables.vcpu_quota_us = 25'000;
  tunables.cpuset = "0-1";
  tunables.disk_total_bytes_sec = 4 << 20;
  const std::string xml = domain_xml(spec_with(tunables, 2));
  EXPECT_THAT(xml, HasSubstr("<cputune>"));
  EXPECT_THAT(xml, HasSubstr("<iotune>"));
  std::string output;
  EXPECT_EQ(validate_status(xml, output), 0) << output << xml;
}

TEST(Iotune, ReadRatesInLibvirtsOrder) {
  DomainTunables tunables;
  tunables.disk_read_bytes_sec = 8 << 20;
  tunables.disk_read_iops_sec = 200;
  EXPECT_EQ(iotune_xml(tunables),
            "      <iotune><read_bytes_sec>8388608</read_bytes_sec><read_iops_sec>200</read_iops_sec></iotune>\n");
  EXPECT_FALSE(tunables.need_cgroups());
  EXPECT_FALSE(tunables.empty());
}

TEST(Iotune, RefusesRatesLibvirtOrQemuWouldRefuse) {
  DomainTunables zero;
  zero.disk_read_iops_sec = 0;
  EXPECT_THROW(iotune_xml(zero), sys::Error);
  DomainTunables huge;
  huge.disk_read_bytes_sec = 1'000'000'000'000'001ULL;
  EXPECT_THROW(iotune_xml(huge), sys::Error);
  DomainTunables total_and_read;
  total_and_read.disk_total_bytes_sec = 1 << 20;
  total_and_read.disk_read_bytes_sec = 1 << 20;
  EXPECT_THROW(iotune_xml(total_and_read), sys::Error);
}

TEST(Iotune, ReadRatesValidateAgainstLibvirtSchema) {
  DomainTunables tunables;
  tunables.disk_read_bytes_sec = 8 << 20;
  tunables.disk_read_iops_sec = 200;
  const std::string xml = domain_xml(spec_with(tunables, 1));
  EXPECT_THAT(xml, HasSubstr("<read_iops_sec>200</read_iops_sec>"));
  std::string output;
  EXPECT_EQ(validate_status(xml, output), 0) << output << xml;
}

// Polls every 20 ms: the boot's partition scan at 0.1 s, a pause, then a reader at 10 requests of 4 KiB per
// poll from 2 s to 5 s.
std::vector<BlockReadSample> boot_scan_then_reader() {
  std::vector<BlockReadSample> samples;
  std::uint64_t requests = 0;
  for (std::int64_t ms = 0; ms <= 6000; ms += 20) {
    if (ms == 100) requests += 4;
    if (ms > 2000 && ms <= 5000) requests += 10;
    samples.push_back({ms * 1'000'000, requests * 4096, requests});
  }
  return samples;
}

TEST(SteadyBlockReads, TheLastStretchOfReadsLessItsFirstSecond) {
  const auto samples = boot_scan_then_reader();
  const auto window = steady_block_reads(samples, 1'000'000'000, 500'000'000);
  ASSERT_TRUE(window.has_value());
  EXPECT_DOUBLE_EQ(window->reading_ms, 3000);  // from the last quiet poll (2 s) to the last that counted (5 s)
  EXPECT_DOUBLE_EQ(window->steady_ms, 2000);
  EXPECT_EQ(window->steady_rd_req, 1000U);  // 10 per 20 ms: 500 per second, the boot's 4 not among them
  EXPECT_EQ(window->steady_rd_bytes, 1000U * 4096);
}

TEST(SteadyBlockReads, AShortPauseDoesNotEndTheStretch) {
  auto samples = boot_scan_then_reader();
  // No request between 3 s and 3.2 s: under the gap, the stretch still starts at 2 s.
  std::uint64_t missing = 0;
  for (auto& sample : samples) {
    const std::int64_t ms = sample.at_ns / 1'000'000;
    if (ms > 3000 && ms <= 3200) missing += 10;
    sample.rd_req -= missing;
    sample.rd_bytes = sample.rd_req * 4096;
  }
  const auto window = steady_block_reads(samples, 1'000'000'000, 500'000'000);
  ASSERT_TRUE(window.has_value());
  EXPECT_DOUBLE_EQ(window->reading_ms, 3000);
  EXPECT_EQ(window->steady_rd_req, 900U);
}

TEST(SteadyBlockReads, NothingWithoutReadsOrWithAStretchNoLongerThanTheSkip) {
  EXPECT_FALSE(steady_block_reads({}, 1'000'000'000, 500'000'000).has_value());
  const std::vector<BlockReadSample> idle{{0, 4096, 1}, {20'000'000, 4096, 1}};
  EXPECT_FALSE(steady_block_reads(idle, 1'000'000'000, 500'000'000).has_value());
  const std::vector<BlockReadSample> short_burst{{0, 0, 0}, {20'000'000, 4096, 1}, {40'000'000, 8192, 2}};
  EXPECT_FALSE(steady_block_reads(short_burst, 1'000'000'000, 500'000'000).has_value());
}

TEST(HexCpuMask, ProcStatusSpelling) {
  EXPECT_EQ(parse_hex_cpu_mask("3\n"), 3U);
  EXPECT_EQ(parse_hex_cpu_mask("00000000,00000002"), 2U);
  EXPECT_EQ(parse_hex_cpu_mask("1,00000000,00000001"), std::nullopt);  // CPU 64: past a 64-bit mask
  EXPECT_EQ(parse_hex_cpu_mask("xyz"), std::nullopt);
}

}  // namespace
}  // namespace benchrun::vm
