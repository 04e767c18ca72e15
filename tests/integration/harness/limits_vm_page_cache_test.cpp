// `benchrun --suite limits --backends vm --cases page-cache --image guest` end to end, as root, with real QEMU and
// libvirt (TCG here): a guest of the RAM image "guest" boots in (542 MiB) writes twice it through its page cache to
// its sparse scratch virtio disk; the writer finishes without an OOM kill, QEMU's write counters show the data
// reached the disk, and QEMU's peak RSS stays within the RAM + its copy of the initramfs + 192 MiB. Under
// --limits-off the guest gets RAM for the whole write, keeps it cached, and QEMU's peak passes the allowance: both
// verdicts fail. The scratch disk's folder and the cgroups libvirt made for the
// run's guest are gone afterwards. Image "guest": the default image's guests do not load virtio_blk.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"
#include "libvirt_cgroups.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::vector<std::string> judged = {"page_cache.writer_finished", "page_cache.qemu_peak_within_limit"};

class LimitsVmPageCacheSuite : public LeakCheckedTest {
 protected:
  // QEMU runs as libvirt-qemu: the scratch folder must let it in (mkdtemp makes it 0700).
  void SetUp() override {
    LeakCheckedTest::SetUp();
    std::filesystem::permissions(scratch_.path(),
                                 std::filesystem::perms::others_exec | std::filesystem::perms::group_exec,
                                 std::filesystem::perm_options::add);
  }

  [[nodiscard]] std::map<std::string, json> run_page_cache(const std::vector<std::string>& extra, int expected_exit) {
    std::vector<std::string> args{"--suite",
                                  "limits",
                                  "--backends",
                                  "vm",
                                  "--cases",
                                  "page-cache",
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
    EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
    const json report = json::parse(read_text(out_.path() / "report.json"));
    EXPECT_EQ(libvirt_guest_cgroups_of_run(report.at("run_id").get<std::string>()), "");
    std::map<std::string, json> verdicts;
    for (const auto& verdict : report.at("verdicts")) {
      if (verdict.at("backend") == "vm") verdicts[verdict.at("check")] = verdict;
    }
    return verdicts;
  }

  TempDir out_;
  TempDir scratch_{"benchrun-limits-vm-page-cache-test"};
};

TEST_F(LimitsVmPageCacheSuite, AGuestReclaimsItsPageCacheWithinItsRamAndTheDataReachesTheDisk) {
  const auto verdicts = run_page_cache({}, 0);
  for (const auto& name : judged) {
    ASSERT_TRUE(verdicts.contains(name)) << name;
    EXPECT_TRUE(verdicts.at(name).at("pass").get<bool>()) << verdicts.at(name).dump();
  }
  const json& finished = verdicts.at("page_cache.writer_finished");
  EXPECT_EQ(finished.at("measured"), finished.at("configured")) << finished.dump();  // every MiB written
  EXPECT_THAT(finished.at("why").get<std::string>(), HasSubstr("MiB to vda")) << finished.dump();
  const json& peak = verdicts.at("page_cache.qemu_peak_within_limit");
  EXPECT_THAT(peak.at("why").get<std::string>(), HasSubstr("within the guest's")) << peak.dump();
}

TEST_F(LimitsVmPageCacheSuite, WithRamForTheWholeWriteQemusPeakPassesTheAllowanceAndBothFail) {
  const auto verdicts = run_page_cache({"--limits-off", "page-cache"}, 1);
  for (const auto& name : judged) {
    ASSERT_TRUE(verdicts.contains(name)) << name;
    const json& verdict = verdicts.at(name);
    EXPECT_FALSE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("--limits-off")) << verdict.dump();
  }
  const json& peak = verdicts.at("page_cache.qemu_peak_within_limit");
  EXPECT_THAT(peak.at("why").get<std::string>(), HasSubstr("is over the guest's")) << peak.dump();
}

}  // namespace
}  // namespace benchrun::testing
