// The limits suite's disk checks (io-read-bps, io-read-iops, page-cache) on vm+container, through benchrun, as
// root, with real QEMU and libvirt: the guest's root is a tmpfs, which those checks refuse, so the step makes a
// raw file under --scratch-dir on the host's disk, formats it ext4 there and attaches it as the guest's /dev/vda
// (benchrun.scratch=/dev/vda: benchinit mounts it at /var/tmp/benchrun-scratch, the inner run's --scratch-dir);
// the guest's benchrun then makes its loop device and page-cache folder there as on a host (mkfs.ext4 is in image
// "guest") and judges the checks on its container in a cgroup v2 guest. --limits-off io-read-bps must make that
// check fail there. The scratch disk is gone afterwards; no loop device, domain or cgroup is left
// (LeakCheckedTest).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class LimitsIoInGuest : public LeakCheckedTest {
 protected:
  // QEMU runs as libvirt-qemu: the scratch folder must let it in (mkdtemp makes it 0700).
  void SetUp() override {
    LeakCheckedTest::SetUp();
    std::filesystem::permissions(scratch_.path(),
                                 std::filesystem::perms::others_exec | std::filesystem::perms::group_exec,
                                 std::filesystem::perm_options::add);
  }
  CommandResult run(const std::string& cases, std::vector<std::string> extra) {
    std::vector<std::string> args{"--suite",
                                  "limits",
                                  "--backends",
                                  "vm+container",
                                  "--cases",
                                  cases,
                                  "-q",
                                  "--timeout",
                                  "150",
                                  "--out",
                                  out_.path().string(),
                                  "--scratch-dir",
                                  scratch_.path().string(),
                                  "--guest-cgroup",
                                  "v2"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto result = run_benchrun(args);
    EXPECT_TRUE(std::filesystem::is_empty(scratch_.path())) << "the guest's scratch disk was left behind";
    return result;
  }
  [[nodiscard]] std::map<std::string, json> verdicts() const {
    EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
    const json whole = json::parse(read_text(out_.path() / "report.json"));
    std::map<std::string, json> found;
    for (const auto& verdict : whole.at("verdicts")) {
      EXPECT_EQ(verdict.at("backend"), "vm+container") << verdict.dump();
      found[verdict.at("check")] = verdict;
    }
    return found;
  }

  TempDir out_;
  TempDir scratch_{"benchrun-limits-io-guest-test"};
};

TEST_F(LimitsIoInGuest, TheDiskChecksHoldInACgroupV2GuestOnItsScratchDisk) {
  const auto result = run("io-read-bps,io-read-iops,page-cache", {});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  for (const std::string check : {"io-read-bps", "io-read-iops", "page-cache"}) {
    EXPECT_THAT(result.err, HasSubstr("vm+container: " + check +
                                      ": the guest got a 256 MiB ext4 scratch disk (benchrun.scratch=/dev/vda, "
                                      "mounted at /var/tmp/benchrun-scratch)"));
  }
  const auto found = verdicts();
  ASSERT_EQ(found.size(), 3U);
  for (const std::string check : {"io.read_bps", "io.read_iops", "page_cache.within_limit"})
    EXPECT_TRUE(found.contains(check)) << check;
  for (const auto& [check, verdict] : found) {
    EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("inside the vm+container guest (cgroup v2"))
        << verdict.dump();
  }
}

TEST_F(LimitsIoInGuest, WithoutItsLimitTheReadThrottleFailsInsideTheGuest) {
  const auto result = run("io-read-bps", {"--limits-off", "io-read-bps"});
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  EXPECT_THAT(result.err, HasSubstr("vm+container guest: container: io-read-bps ran without its limit"));
  const auto found = verdicts();
  ASSERT_TRUE(found.contains("io.read_bps"));
  const json& verdict = found.at("io.read_bps");
  EXPECT_FALSE(verdict.at("pass").get<bool>()) << verdict.dump();
  EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("(cgroup v2")) << verdict.dump();
}

TEST_F(LimitsIoInGuest, ATmpfsScratchDirIsRefusedBeforeAnyGuestBoots) {
  TempDir shm_parent{"benchrun-limits-io-guest-shm"};
  const std::filesystem::path tmpfs = shm_parent.path() / "tmpfs";
  std::filesystem::create_directories(tmpfs);
  ASSERT_EQ(run_command({"mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", tmpfs.string()}).exit_code, 0);
  std::vector<std::string> args{"--suite",           "limits", "--backends",    "vm+container", "--cases",
                                "page-cache",        "-q",     "--scratch-dir", tmpfs.string(), "--out",
                                out_.path().string()};
  const auto result = run_benchrun(args);
  EXPECT_EQ(run_command({"umount", tmpfs.string()}).exit_code, 0);
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  const auto found = verdicts();
  ASSERT_TRUE(found.contains("page-cache.host_view")) << result.err;
  const json& verdict = found.at("page-cache.host_view");
  EXPECT_FALSE(verdict.at("pass").get<bool>());
  EXPECT_THAT(verdict.at("why").get<std::string>(),
              HasSubstr("its scratch disk: --scratch-dir " + tmpfs.string() + " is a tmpfs"));
}

}  // namespace
}  // namespace benchrun::testing
