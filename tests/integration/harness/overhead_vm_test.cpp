// `benchrun --suite overhead` with a guest, once (TCG here makes it slow): the cpu group's figures come back
// from the guest with a ratio to native, the page names the accelerator the guest ran on, and the disk group
// on an image whose guests do not load virtio_blk is reported as not measured, with why, never as a figure.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class OverheadVmSuite : public LeakCheckedTest {
 protected:
  TempDir out_;
  TempDir scratch_{"benchrun-overhead-vm-test"};
};

TEST_F(OverheadVmSuite, AGuestGivesTheCpuFiguresWithTheirAcceleratorAndItsDiskIsNotMeasuredWithoutVirtioBlk) {
  const auto result = run_benchrun({"--suite", "overhead", "--backends", "native,vm", "--groups", "cpu,disk", "--runs",
                                    "1", "--warmup", "0", "--timeout", "600", "-q", "--out", out_.path().string(),
                                    "--scratch-dir", scratch_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
  const json report = json::parse(read_text(out_.path() / "report.json"));
  int guest_cpu_samples = 0;
  for (const auto& sample : report.at("samples")) {
    EXPECT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
    if (sample.at("backend") == "vm") {
      EXPECT_EQ(sample.at("case_name"), "cpu") << "the guest's disk must not be measured without virtio_blk";
      EXPECT_GT(sample.at("metrics").at("cpu_int_events_per_s").get<double>(), 0.0);
      ++guest_cpu_samples;
    }
  }
  EXPECT_EQ(guest_cpu_samples, 1);
  bool ratio_found = false;
  for (const auto& summary : report.at("summaries")) {
    if (summary.at("backend") == "vm" && summary.at("metric") == "cpu_int_events_per_s")
      ratio_found = summary.value("ratio_to_native", 0.0) > 0.0;
  }
  EXPECT_TRUE(ratio_found);
  EXPECT_THAT(report.at("warnings").dump(), HasSubstr("disk on vm: not measured"));
  const std::string accelerator =
      report.at("environment").at("virtualization").get<std::string>() == "kvm" ? "KVM" : "TCG";
  EXPECT_THAT(read_text(out_.path() / "report.html"), HasSubstr("vm cold (" + accelerator + ")"));
  EXPECT_TRUE(std::filesystem::is_empty(scratch_.path()));
}

}  // namespace
}  // namespace benchrun::testing
