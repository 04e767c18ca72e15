// The vm backend through `benchrun --suite startup`, as root, with real QEMU and libvirt: its samples in
// the report, a libvirt it cannot reach, and a guest left by a killed run.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"
#include "vm/accelerator.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;

class VmSuite : public LeakCheckedTest {
 protected:
  TempDir out_;
};

TEST_F(VmSuite, VmSamplesJoinTheSameReportWhichSaysHowGuestsRan) {
  const auto result = run_benchrun(
      {"--suite", "startup", "--backends", "native,vm", "--runs", "1", "--warmup", "0", "--out", out_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
  const json report = json::parse(read_text(out_.path() / "report.json"));
  const json& environment = report.at("environment");
  bool vm_backend_listed = false;
  for (const auto& backend : report.at("backends")) {
    if (backend.at("name") != "vm") continue;
    vm_backend_listed = true;
    EXPECT_EQ(backend.at("kind"), "vm");
    const json& details = backend.at("details");
    // The accelerator the guests really got, and why, in the environment, the backend and on stderr (once).
    EXPECT_EQ(environment.at("virtualization"), details.at("accelerator"));
    EXPECT_EQ(environment.at("virtualization_reason"), details.at("accelerator_reason"));
    EXPECT_FALSE(details.at("accelerator_reason").get<std::string>().empty());
    EXPECT_EQ(details.at("domain_type"), details.at("accelerator") == "kvm" ? "kvm" : "qemu");
    const std::string announced = "vm: guests run under ";
    EXPECT_NE(result.err.find(announced + (details.at("accelerator") == "kvm" ? "KVM" : "TCG")), std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find(announced), result.err.rfind(announced)) << "said more than once: " << result.err;
  }
  EXPECT_TRUE(vm_backend_listed);
  if (vm::assess_kvm().verdict == vm::KvmAssessment::Verdict::cannot_work) {
    EXPECT_EQ(environment.at("virtualization"), "tcg") << "KVM chosen where it cannot work";
  }
  int vm_samples = 0;
  for (const auto& sample : report.at("samples")) {
    if (sample.at("backend") != "vm") continue;
    ++vm_samples;
    EXPECT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
    EXPECT_GT(sample.at("metrics").at("time_to_ready_ms").get<double>(), 0.0);
    EXPECT_TRUE(sample.at("phases").contains("create_returned")) << sample.dump();
    EXPECT_TRUE(sample.at("phases").contains("qemu_exec")) << "the emulator wrapper's stamp: " << sample.dump();
    EXPECT_GT(sample.at("metrics").at("cpu_time_ms").get<double>(), 0.0) << "QEMU's CPU time belongs in the sample";
  }
  EXPECT_EQ(vm_samples, 2) << "one cold and one warm sample (--start both, the default)";
}

TEST_F(VmSuite, KvmAskedForWhereItCannotWorkIsExit2WithOneLineNamingWhy) {
  const vm::KvmAssessment assessment = vm::assess_kvm();
  if (assessment.verdict != vm::KvmAssessment::Verdict::cannot_work) {
    GTEST_SKIP() << "KVM may work on this host (" << assessment.reason << "): nothing to refuse";
  }
  const auto result =
      run_benchrun({"--suite", "startup", "--backends", "native,vm", "--accel", "kvm", "--out", out_.path().string()});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("--accel kvm: " + assessment.reason), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(out_.path() / "report.json"));
}

TEST_F(VmSuite, DoctorTellsWhichAcceleratorGuestsGetAndWhy) {
  const auto result = run_benchrun({"doctor"});
  const vm::KvmAssessment assessment = vm::assess_kvm();
  EXPECT_THAT(result.out, ::testing::ContainsRegex("accelerator +guests run (with KVM|under TCG)")) << result.out;
  if (assessment.verdict != vm::KvmAssessment::Verdict::unknown) {
    EXPECT_NE(result.out.find(assessment.reason), std::string::npos) << result.out;
  }
}

TEST_F(VmSuite, UnreachableLibvirtIsOneLineNamingTheFixAndMeasuresNothing) {
  const auto result =
      run_benchrun({"--suite", "startup", "--backends", "native,vm", "--libvirt-uri",
                    "qemu+unix:///system?socket=/nonexistent/libvirt-sock", "--out", out_.path().string()});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("--libvirt-uri"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(out_.path() / "report.json"));
}

TEST_F(VmSuite, CleanupRemovesTheGuestOfAKilledSuite) {
  // The embedded QEMU driver cannot autodestroy guests: their QEMU outlives a killed benchrun.
  start_and_kill({"--suite", "startup", "--backends", "vm", "--workload", "spin 60000", "--runs", "1", "--warmup", "0",
                  "--out", out_.path().string()},
                 "qemu ");
  // QEMU may also end by itself once its console reader is gone; either way none may remain (TearDown).
  const auto cleanup = run_benchrun({"cleanup"});
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.err;
  EXPECT_THAT(cleanup.out, ::testing::ContainsRegex("guests: removed [01] leftovers"));
}

}  // namespace
}  // namespace benchrun::testing
