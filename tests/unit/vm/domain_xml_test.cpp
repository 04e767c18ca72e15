// The domain XML and kernel command line of a benchrun guest: valid for libvirt's schema
// (virt-xml-validate) and holding what boots fast and powers off cleanly.
#include "vm/domain_xml.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sys/error.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::vm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

DomainSpec sample_spec(const std::string& type, ConsoleKind console) {
  DomainSpec spec;
  spec.name = "benchrun-unit-0";
  spec.domain_type = type;
  spec.vcpus = 2;
  spec.memory_mib = 256;
  spec.kernel = "/var/lib/benchrun/runs/x/boot/vmlinuz";
  spec.initramfs = "/var/lib/benchrun/runs/x/boot/initramfs.cpio";
  spec.cmdline = kernel_cmdline({"/bench/bin/spin", "100"});
  spec.console = console;
  spec.console_fifo = "/var/lib/benchrun/runs/x/benchrun-unit-0.console";
  return spec;
}

// Runs virt-xml-validate on the XML; returns its exit status and output.
std::pair<int, std::string> validate(const std::string& xml) {
  if (::access("/usr/bin/virt-xml-validate", X_OK) != 0) {
    ADD_FAILURE() << "virt-xml-validate is missing: apt-get install libvirt-clients (scripts/setup.sh)";
    return {-1, ""};
  }
  const benchrun::testing::TempDir dir("benchrun-domain");
  const auto path = dir.path() / "domain.xml";
  std::ofstream(path) << xml;
  const auto validated = benchrun::testing::run_command({"virt-xml-validate", path.string(), "domain"});
  return {validated.exit_code, validated.out};
}

TEST(DomainXml, KvmDomainValidatesAgainstLibvirtSchema) {
  const auto [status, output] = validate(domain_xml(sample_spec("kvm", ConsoleKind::fifo)));
  EXPECT_EQ(status, 0) << output;
}

TEST(DomainXml, TcgDomainValidatesAgainstLibvirtSchema) {
  const auto [status, output] = validate(domain_xml(sample_spec("qemu", ConsoleKind::fifo)));
  EXPECT_EQ(status, 0) << output;
}

TEST(DomainXml, PtyConsoleDomainValidatesAgainstLibvirtSchema) {
  const auto [status, output] = validate(domain_xml(sample_spec("qemu", ConsoleKind::pty)));
  EXPECT_EQ(status, 0) << output;
}

TEST(DomainXml, TheEmulatorWrapperIsNamedWhenGivenAndValidates) {
  DomainSpec spec = sample_spec("qemu", ConsoleKind::fifo);
  EXPECT_THAT(domain_xml(spec), Not(HasSubstr("<emulator>")));
  spec.emulator = "/var/lib/benchrun/bin/benchrun-qemu-system-x86_64";
  const std::string xml = domain_xml(spec);
  EXPECT_THAT(xml, HasSubstr("<emulator>/var/lib/benchrun/bin/benchrun-qemu-system-x86_64</emulator>"));
  const auto [status, output] = validate(xml);
  EXPECT_EQ(status, 0) << output;
}

TEST(DomainXml, DiskFilesBecomeRawVirtioDisksInOrderWithoutTheHostCacheAndValidate) {
  DomainSpec spec = sample_spec("qemu", ConsoleKind::fifo);
  EXPECT_THAT(domain_xml(spec), Not(HasSubstr("<disk")));
  spec.disk_files = {"/var/tmp/benchrun-overhead/run-1/overhead-disk.img", "/var/tmp/second.img"};
  const std::string xml = domain_xml(spec);
  EXPECT_THAT(xml, HasSubstr("<source file='/var/tmp/benchrun-overhead/run-1/overhead-disk.img'/>\n"
                             "      <target dev='vda' bus='virtio'/>"));
  EXPECT_THAT(xml, HasSubstr("<source file='/var/tmp/second.img'/>\n      <target dev='vdb' bus='virtio'/>"));
  EXPECT_THAT(xml, HasSubstr("<driver name='qemu' type='raw' cache='none' io='native'/>"));
  const auto [status, output] = validate(xml);
  EXPECT_EQ(status, 0) << output;
}

TEST(DomainXml, ADiskFileMustBeAnAbsolutePath) {
  EXPECT_THROW(disk_devices({"relative.img"}), sys::Error);
  EXPECT_THROW(disk_devices({""}), sys::Error);
  EXPECT_THROW(disk_devices(std::vector<std::string>(27, "/a.img")), sys::Error);
}

TEST(DomainXml, ValidatorRejectsABrokenDomain) {
  // Proves the validation above can fail: a domain without a name is not valid.
  std::string xml = domain_xml(sample_spec("qemu", ConsoleKind::fifo));
  xml.replace(xml.find("<name>"), xml.find("</name>") + 7 - xml.find("<name>"), "");
  EXPECT_NE(validate(xml).first, 0);
}

TEST(DomainXml, DomainTypeIsWhatTheHostOffers) {
  EXPECT_THAT(domain_xml(sample_spec("kvm", ConsoleKind::fifo)), HasSubstr("<domain type='kvm'>"));
  EXPECT_THAT(domain_xml(sample_spec("kvm", ConsoleKind::fifo)), HasSubstr("host-passthrough"));
  EXPECT_THAT(domain_xml(sample_spec("qemu", ConsoleKind::fifo)), HasSubstr("<domain type='qemu'>"));
  EXPECT_THAT(domain_xml(sample_spec("qemu", ConsoleKind::fifo)), Not(HasSubstr("host-passthrough")));
  EXPECT_THROW(domain_xml(sample_spec("xen", ConsoleKind::fifo)), sys::Error);
}

TEST(DomainXml, BootsTheKernelDirectlyOnQ35WithAcpiAndDestroyOnPoweroff) {
  const std::string xml = domain_xml(sample_spec("qemu", ConsoleKind::fifo));
  EXPECT_THAT(xml, HasSubstr("machine='q35'"));
  EXPECT_THAT(xml, HasSubstr("<kernel>/var/lib/benchrun/runs/x/boot/vmlinuz</kernel>"));
  EXPECT_THAT(xml, HasSubstr("<initrd>/var/lib/benchrun/runs/x/boot/initramfs.cpio</initrd>"));
  EXPECT_THAT(xml, HasSubstr("<acpi/>"));
  EXPECT_THAT(xml, HasSubstr("<on_poweroff>destroy</on_poweroff>"));
  EXPECT_THAT(xml, HasSubstr("<vcpu>2</vcpu>"));
  EXPECT_THAT(xml, HasSubstr("<memory unit='MiB'>256</memory>"));
}

TEST(DomainXml, HasNoNetworkNoUsbNoBalloon) {
  const std::string xml = domain_xml(sample_spec("qemu", ConsoleKind::fifo));
  EXPECT_THAT(xml, Not(HasSubstr("<interface")));
  EXPECT_THAT(xml, Not(HasSubstr("<disk")));
  EXPECT_THAT(xml, Not(HasSubstr("<graphics")));
  EXPECT_THAT(xml, HasSubstr("<controller type='usb' model='none'/>"));
  EXPECT_THAT(xml, HasSubstr("<memballoon model='none'/>"));
}

TEST(DomainXml, ATapBecomesAVirtioNicThatLibvirtOnlyOpensAndValidates) {
  DomainSpec spec = sample_spec("qemu", ConsoleKind::fifo);
  spec.tap_device = "brtap";
  const std::string xml = domain_xml(spec);
  EXPECT_THAT(xml, HasSubstr("<interface type='ethernet'>\n"
                             "      <target dev='brtap' managed='no'/>\n"
                             "      <model type='virtio'/>\n"
                             "      <rom enabled='no'/>\n"
                             "    </interface>"));
  EXPECT_THAT(xml, Not(HasSubstr("<source bridge")));
  const auto [status, output] = validate(xml);
  EXPECT_EQ(status, 0) << output;
}

TEST(DomainXml, ATapNameMustBeAPlainInterfaceName) {
  EXPECT_THROW(nic_device(""), sys::Error);
  EXPECT_THROW(nic_device("sixteen-bytes-xx"), sys::Error);
  EXPECT_THROW(nic_device("a'b"), sys::Error);
  EXPECT_THROW(nic_device("a/b"), sys::Error);
  EXPECT_NO_THROW(nic_device("fifteen-bytes-x"));
}

TEST(DomainXml, SerialConsoleIsTheFifoPairOrAPty) {
  EXPECT_THAT(domain_xml(sample_spec("qemu", ConsoleKind::fifo)),
              HasSubstr("<serial type='pipe'><source path='/var/lib/benchrun/runs/x/benchrun-unit-0.console'/>"));
  EXPECT_THAT(domain_xml(sample_spec("qemu", ConsoleKind::pty)), HasSubstr("<serial type='pty'>"));
}

TEST(DomainXml, EscapesMarkupInNamesAndPaths) {
  DomainSpec spec = sample_spec("qemu", ConsoleKind::fifo);
  spec.kernel = "/tmp/a&b<c>/vmlinuz";
  const std::string xml = domain_xml(spec);
  EXPECT_THAT(xml, HasSubstr("/tmp/a&amp;b&lt;c&gt;/vmlinuz"));
}

TEST(KernelCmdline, StartsBenchinitOnTheSerialConsoleAndPowersOff) {
  const std::string cmdline = kernel_cmdline({"/bench/bin/hello"});
  EXPECT_THAT(cmdline, HasSubstr("console=ttyS0"));
  EXPECT_THAT(cmdline, HasSubstr("rdinit=/sbin/benchinit"));
  EXPECT_THAT(cmdline, HasSubstr("BENCHRUN_POWEROFF=1"));
  EXPECT_THAT(cmdline, HasSubstr("mitigations=off"));
  EXPECT_THAT(cmdline, HasSubstr(" quiet "));
  EXPECT_TRUE(cmdline.ends_with(" -- /bench/bin/hello")) << cmdline;
}

TEST(KernelCmdline, ExtraParametersComeBeforeTheWorkload) {
  const std::string cmdline = kernel_cmdline({"/bench/bin/spin", "50"}, {"loglevel=4"});
  EXPECT_LT(cmdline.find("loglevel=4"), cmdline.find(" -- "));
  EXPECT_TRUE(cmdline.ends_with(" -- /bench/bin/spin 50")) << cmdline;
}

TEST(KernelCmdline, RefusesWhatTheKernelCannotPassToInit) {
  EXPECT_THROW(kernel_cmdline({}), sys::Error);
  EXPECT_THROW(kernel_cmdline({"/bench/bin/x", "two words"}), sys::Error);
  EXPECT_THROW(kernel_cmdline({"/bench/bin/x", "\"quoted\""}), sys::Error);
  EXPECT_THROW(kernel_cmdline({"/bench/bin/x", ""}), sys::Error);
  EXPECT_THROW(kernel_cmdline({"/bench/bin/x"}, {"--"}), sys::Error);
  EXPECT_THROW(kernel_cmdline({"/bench/bin/x", std::string(3000, 'a')}), sys::Error);
}

}  // namespace
}  // namespace benchrun::vm

namespace benchrun::vm {
namespace {

TEST(DomainXml, AResultsFileAddsAVirtioSerialPortNamedForBenchinitAndValidates) {
  DomainSpec spec = sample_spec("qemu", ConsoleKind::fifo);
  EXPECT_THAT(domain_xml(spec), Not(HasSubstr("virtio-serial")));
  EXPECT_THAT(domain_xml(spec), Not(HasSubstr("<channel")));
  spec.results_file = "/var/lib/benchrun/runs/x/benchrun-unit-0.results";
  const std::string xml = domain_xml(spec);
  EXPECT_THAT(xml, HasSubstr("<controller type='virtio-serial' index='0'/>"));
  EXPECT_THAT(xml, HasSubstr("<channel type='file'><source path='/var/lib/benchrun/runs/x/benchrun-unit-0.results'/>"
                             "<target type='virtio' name='org.benchrun.results'/></channel>"));
  const auto [status, output] = validate(xml);
  EXPECT_EQ(status, 0) << output;
}

TEST(DomainXml, TheResultsPathIsEscaped) {
  DomainSpec spec = sample_spec("qemu", ConsoleKind::fifo);
  spec.results_file = "/tmp/it's<here>.results";
  EXPECT_THAT(domain_xml(spec), HasSubstr("<source path='/tmp/it&#39;s&lt;here&gt;.results'/>"));
  const auto [status, output] = validate(domain_xml(spec));
  EXPECT_EQ(status, 0) << output;
}

TEST(GuestParameters, NameTheResultsPortAndTheCgroupLayoutForBenchinit) {
  EXPECT_TRUE(guest_parameters(false, std::nullopt).empty());
  EXPECT_EQ(guest_parameters(true, std::nullopt), std::vector<std::string>{"benchrun.results=org.benchrun.results"});
  EXPECT_EQ(guest_parameters(false, CgroupLayout::v2), std::vector<std::string>{"benchrun.cgroup=v2"});
  EXPECT_EQ(guest_parameters(true, CgroupLayout::hybrid),
            (std::vector<std::string>{"benchrun.results=org.benchrun.results", "benchrun.cgroup=hybrid"}));
  const std::string cmdline = kernel_cmdline({"/bench/bin/hello"}, guest_parameters(true, CgroupLayout::v1));
  EXPECT_LT(cmdline.find("benchrun.cgroup=v1"), cmdline.find(" -- ")) << cmdline;
  EXPECT_LT(cmdline.find("benchrun.results=org.benchrun.results"), cmdline.find(" -- ")) << cmdline;
}

TEST(GuestParameters, CgroupLayoutsParseFromTheirNamesOnly) {
  for (const auto layout : {CgroupLayout::v2, CgroupLayout::v1, CgroupLayout::hybrid}) {
    EXPECT_EQ(parse_cgroup_layout(to_string(layout)), layout);
  }
  EXPECT_EQ(parse_cgroup_layout("V2"), std::nullopt);
  EXPECT_EQ(parse_cgroup_layout("unified"), std::nullopt);
  EXPECT_EQ(parse_cgroup_layout(""), std::nullopt);
}

}  // namespace
}  // namespace benchrun::vm
