// `benchrun --suite limits --backends vm --cases io-read-bps,io-read-iops --image guest` end to end, as root, with
// real QEMU and libvirt (TCG here): the guest's scratch virtio disk carries the read throttle as <iotune>, judged
// from libvirt's read-back and QEMU's block stats on the host and from ioprobe's own count in the guest; both
// verdicts flip to fail under --limits-off (no <iotune>, and the rates run past the limit); the scratch disk's
// folder and the cgroups libvirt made for the run's guests are gone afterwards. Image "guest": the default image's
// guests do not load virtio_blk. Two runs, two guests each.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"
#include "libvirt_cgroups.hpp"
#include "report_verdicts.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::vector<std::string> judged = {"io.read_bps", "io.read_iops"};

class LimitsVmIoSuite : public LeakCheckedTest {
 protected:
  // QEMU runs as libvirt-qemu: the scratch folder must let it in (mkdtemp makes it 0700).
  void SetUp() override {
    LeakCheckedTest::SetUp();
    std::filesystem::permissions(scratch_.path(),
                                 std::filesystem::perms::others_exec | std::filesystem::perms::group_exec,
                                 std::filesystem::perm_options::add);
  }

  [[nodiscard]] std::map<std::string, json> run_io_checks(const std::vector<std::string>& extra, int expected_exit,
                                                          const std::string& cases = "io-read-bps,io-read-iops") {
    std::vector<std::string> args{"--suite",
                                  "limits",
                                  "--backends",
                                  "vm",
                                  "--cases",
                                  cases,
                                  "--image",
                                  "guest",
                                  "-q",
                                  "--out",
                                  out_.path().string(),
                                  "--scratch-dir",
                                  scratch_.path().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run_benchrun(args);
    EXPECT_EQ(result.exit_code, expected_exit) << result.err << result.out;
    EXPECT_TRUE(std::filesystem::is_empty(scratch_.path())) << "the guest's scratch disk was left behind";
    const json report = read_report(out_.path());
    EXPECT_EQ(libvirt_guest_cgroups_of_run(report.at("run_id").get<std::string>()), "");
    return verdicts_of(report, "vm");
  }

  TempDir out_;
  TempDir scratch_{"benchrun-limits-vm-io-test"};
};

TEST_F(LimitsVmIoSuite, AGuestsDiskHoldsItsReadThrottleSeenFromLibvirtQemuAndTheReader) {
  const auto verdicts = run_io_checks({}, 0);
  for (const auto& name : judged) {
    ASSERT_TRUE(verdicts.contains(name)) << name;
    const json& verdict = verdicts.at(name);
    EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("by QEMU's block stats of vda")) << verdict.dump();
    EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("libvirt reads back")) << verdict.dump();
  }
  EXPECT_LE(verdicts.at("io.read_bps").at("measured").get<double>(), 8.0 * (1 << 20) * 1.1);
  EXPECT_LE(verdicts.at("io.read_iops").at("measured").get<double>(), 200 * 1.1);
}

TEST_F(LimitsVmIoSuite, BothChecksFlipToFailWithoutTheirThrottle) {
  const auto verdicts = run_io_checks({"--limits-off", "io-read-bps", "--limits-off", "io-read-iops"}, 1);
  for (const auto& name : judged) {
    ASSERT_TRUE(verdicts.contains(name)) << name;
    const json& verdict = verdicts.at(name);
    const std::string why = verdict.at("why");
    EXPECT_FALSE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_THAT(why, HasSubstr("libvirt reads back no read throttle")) << why;
    EXPECT_THAT(why, HasSubstr("--limits-off")) << why;
  }
}

TEST_F(LimitsVmIoSuite, AScratchFolderQemuCannotEnterIsRefusedBeforeABootNamingTheFix) {
  std::filesystem::permissions(scratch_.path(), std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  const auto verdicts = run_io_checks({}, 1, "io-read-iops");
  ASSERT_TRUE(verdicts.contains("io-read-iops.host_view"));
  const std::string why = verdicts.at("io-read-iops.host_view").at("why");
  EXPECT_THAT(why, HasSubstr("(mode 700) keeps QEMU, which runs as libvirt-qemu, from the guest's disk")) << why;
  EXPECT_THAT(why, HasSubstr("chmod o+x " + scratch_.path().string())) << why;
}

}  // namespace
}  // namespace benchrun::testing
