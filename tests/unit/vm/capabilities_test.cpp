// Reading the domain type from virConnectGetCapabilities' XML, and trimming the cached QEMU capabilities.
#include "vm/capabilities.hpp"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::vm {
namespace {

std::string caps_with(const std::string& x86_64_domains) {
  return "<capabilities><host><cpu><arch>x86_64</arch></cpu></host>"
         "<guest><os_type>hvm</os_type><arch name='i686'><domain type='qemu'/><domain type='kvm'/></arch></guest>"
         "<guest><os_type>hvm</os_type><arch name='x86_64'><wordsize>64</wordsize>" +
         x86_64_domains + "</arch></guest></capabilities>";
}

TEST(Capabilities, KvmWhenTheX86_64GuestOffersIt) {
  EXPECT_EQ(domain_type_from_capabilities(caps_with("<domain type='qemu'/><domain type='kvm'/>")), "kvm");
}

TEST(Capabilities, TcgWhenOnlyQemuIsOffered) {
  // kvm offered for i686 only does not count.
  EXPECT_EQ(domain_type_from_capabilities(caps_with("<domain type='qemu'/>")), "qemu");
}

TEST(Capabilities, ErrorsWithoutAnX86_64GuestOrOnBrokenXml) {
  EXPECT_THROW(domain_type_from_capabilities("<capabilities><host/></capabilities>"), sys::Error);
  EXPECT_THROW(domain_type_from_capabilities("<capabilities><guest>"), sys::Error);
  EXPECT_THROW(domain_type_from_capabilities("<other/>"), sys::Error);
}

TEST(CapabilityCache, TrimRemovesOnlyTheUnavailableFeaturesFlag) {
  const benchrun::testing::TempDir temp_dir("benchrun-caps");
  const auto& root = temp_dir.path();
  const auto dir = root / "cache" / "qemu" / "capabilities";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "abc.xml") << "<qemuCaps>\n  <flag name='kvm'/>\n  <flag name='cpu-unavailable-features'/>\n"
                                    "  <flag name='query-cpus-fast'/>\n</qemuCaps>\n";
  std::ofstream(dir / "other.txt") << "<flag name='cpu-unavailable-features'/>\n";
  EXPECT_EQ(trim_guest_cpu_probe(root), 1);
  EXPECT_EQ(sys::read_file(dir / "abc.xml"),
            "<qemuCaps>\n  <flag name='kvm'/>\n  <flag name='query-cpus-fast'/>\n</qemuCaps>\n");
  EXPECT_EQ(trim_guest_cpu_probe(root), 0);  // idempotent
  EXPECT_EQ(trim_guest_cpu_probe(root / "missing"), 0);
}

}  // namespace
}  // namespace benchrun::vm
