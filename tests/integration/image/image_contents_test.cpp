// The image on disk: the manifest describes what was built, the initramfs holds the same tree as the rootfs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "sys/file_io.hpp"
#include "tests/integration/image/image_location.hpp"
#include "tests/support/run_command.hpp"

namespace benchrun::testing {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> workloads = {"hello",     "spin",     "hog",      "forker",   "idle",  "netpeer",
                                            "netclient", "burner",   "affinity", "oomprobe", "probe", "overhead",
                                            "ticker",    "devprobe", "ioprobe",  "cachefill"};

class ImageContents : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(image_dir() / "manifest.json"))
        << image_missing_hint << " (looked in " << image_dir() << ")";
  }
};

std::set<std::string> cpio_listing(const fs::path& archive) {
  std::istringstream listing(run_command({"cpio", "-it", "--quiet", "-F", archive.string()}).out);
  std::set<std::string> names;
  for (std::string name; std::getline(listing, name);) names.insert(name);
  return names;
}

TEST_F(ImageContents, ManifestNamesTheImageItsWorkloadsAndKernel) {
  nlohmann::json manifest = nlohmann::json::parse(sys::read_file(image_dir() / "manifest.json"));
  EXPECT_EQ(manifest.at("name").get<std::string>(), image_dir().filename().string());
  EXPECT_EQ(manifest.at("workloads").get<std::vector<std::string>>(), workloads);
  EXPECT_FALSE(manifest.at("kernel").get<std::string>().empty());
  std::string inputs_sha256 = manifest.at("inputs_sha256").get<std::string>();
  EXPECT_EQ(inputs_sha256.size(), 64U) << inputs_sha256;
  EXPECT_EQ(inputs_sha256.find_first_not_of("0123456789abcdef"), std::string::npos) << inputs_sha256;
}

TEST_F(ImageContents, KernelAndInitramfsSitNextToTheRootfs) {
  EXPECT_GT(fs::file_size(image_dir() / "vmlinuz"), 0U);
  EXPECT_GT(fs::file_size(image_dir() / "initramfs.cpio"), 0U);
  EXPECT_TRUE(fs::is_regular_file(image_dir() / "rootfs" / "sbin" / "benchinit"));
  EXPECT_TRUE(fs::is_regular_file(image_dir() / "rootfs" / "bin" / "busybox"));
  EXPECT_EQ(fs::read_symlink(image_dir() / "rootfs" / "bin" / "sh"), "/bin/busybox");
  for (const char* empty_dir : {"proc", "sys", "dev", "tmp"}) {
    EXPECT_TRUE(fs::is_empty(image_dir() / "rootfs" / empty_dir)) << empty_dir;
  }
  for (const char* etc_file : {"passwd", "group", "hostname"}) {
    EXPECT_TRUE(fs::is_regular_file(image_dir() / "rootfs" / "etc" / etc_file)) << etc_file;
  }
}

TEST_F(ImageContents, InitramfsHoldsInitWorkloadsAndBusybox) {
  std::set<std::string> names = cpio_listing(image_dir() / "initramfs.cpio");
  ASSERT_FALSE(names.empty()) << "cpio -t listed nothing in " << image_dir() / "initramfs.cpio";
  EXPECT_TRUE(names.count("sbin/benchinit"));
  EXPECT_TRUE(names.count("bin/busybox"));
  EXPECT_TRUE(names.count("bin/sh"));
  for (const std::string& workload : workloads) EXPECT_TRUE(names.count("bench/bin/" + workload)) << workload;
}

}  // namespace
}  // namespace benchrun::testing
