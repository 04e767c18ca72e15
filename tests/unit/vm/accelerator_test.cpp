// The accelerator decision on fake /dev/kvm, /sys/module and /proc/cpuinfo trees: KVM only with hardware
// virtualisation behind it, TCG where KVM cannot work, a probe boot where it is not known.
#include "vm/accelerator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.hpp"

namespace benchrun::vm {
namespace {

using ::testing::HasSubstr;
using Verdict = KvmAssessment::Verdict;

constexpr const char* intel_flags = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic vmx sse sse2 ht\n";
constexpr const char* amd_flags = "flags\t\t: fpu vme de pse tsc msr pae svm sse sse2\n";
constexpr const char* guest_flags = "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sse sse2 hypervisor\n";

// A host as the assessment sees it, in a temporary folder.
class FakeHost {
 public:
  FakeHost() {
    std::filesystem::create_directories(root_ / "sys/module/kvm");
    paths_ = {root_ / "dev/kvm", root_ / "sys/module", root_ / "proc/cpuinfo"};
    std::filesystem::create_directories(root_ / "proc");
    std::filesystem::create_directories(root_ / "dev");
  }
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  FakeHost& with_dev_kvm() {
    std::ofstream(paths_.dev_kvm).put('\0');
    return *this;
  }
  FakeHost& with_unopenable_dev_kvm() {  // a directory: open(O_RDWR) fails with EISDIR, even as root
    std::filesystem::create_directories(paths_.dev_kvm);
    return *this;
  }
  FakeHost& with_module(const std::string& name) {
    std::filesystem::create_directories(paths_.sys_module / name);
    return *this;
  }
  FakeHost& with_cpu_flags(const char* flags_line) {
    std::ofstream(paths_.cpuinfo) << "processor\t: 0\nmodel name\t: Fake CPU\n"
                                  << flags_line << "\nprocessor\t: 1\n"
                                  << flags_line;
    return *this;
  }
  [[nodiscard]] const HostPaths& paths() const { return paths_; }

 private:
  const benchrun::testing::TempDir temp_dir_{"benchrun-accel-test"};
  const std::filesystem::path root_ = temp_dir_.path();
  HostPaths paths_;
};

KvmProbe probe_that_must_not_run() {
  return []() -> std::optional<std::string> {
    ADD_FAILURE() << "the probe ran although the assessment was certain";
    return std::nullopt;
  };
}

// A host's /dev/kvm, KVM modules and CPU flags, and what the assessment must make of them.
enum class DevKvm { missing, present, unopenable };
struct HostCase {
  const char* name;
  DevKvm dev_kvm;
  std::vector<std::string> modules;
  const char* cpu_flags;
  Verdict verdict;
  const char* reason_part;  // a part of the reason that says why
};

const HostCase host_cases[] = {
    {"NoDevKvmCannotWork", DevKvm::missing, {"kvm_intel"}, intel_flags, Verdict::cannot_work, "no "},
    {"DevKvmThatDoesNotOpenCannotWorkAndSaysWhy",
     DevKvm::unopenable,
     {"kvm_intel"},
     intel_flags,
     Verdict::cannot_work,
     "EISDIR"},
    {"KvmPvmAloneCannotBootAStockGuest",
     DevKvm::present,
     {"kvm_pvm"},
     guest_flags,
     Verdict::cannot_work,
     "kvm_pvm: a paravirtual nested KVM cannot boot a stock guest kernel"},
    {"KvmIntelWithVmxWorks", DevKvm::present, {"kvm_intel"}, intel_flags, Verdict::works, "kvm_intel with vmx"},
    {"KvmAmdWithSvmWorks", DevKvm::present, {"kvm_amd"}, amd_flags, Verdict::works, "kvm_amd with svm"},
    {"AFlagInAnotherWordDoesNotCount",
     DevKvm::present,
     {"kvm_intel"},
     "flags\t\t: fpu vmx_ept svmx\n",
     Verdict::unknown,
     "lack vmx"},
    {"HardwareModuleWithoutItsCpuFlagIsUnknown",
     DevKvm::present,
     {"kvm_intel"},
     guest_flags,
     Verdict::unknown,
     "lack vmx"},
    {"DevKvmWithNoKnownModuleIsUnknown", DevKvm::present, {}, intel_flags, Verdict::unknown, ""},
    {"KvmPvmBesideAHardwareModuleIsUnknown",
     DevKvm::present,
     {"kvm_pvm", "kvm_intel"},
     intel_flags,
     Verdict::unknown,
     ""},
};

class KvmAssessmentOf : public ::testing::TestWithParam<HostCase> {};

TEST_P(KvmAssessmentOf, Host) {
  const HostCase& host_case = GetParam();
  FakeHost host;
  if (host_case.dev_kvm == DevKvm::present) host.with_dev_kvm();
  if (host_case.dev_kvm == DevKvm::unopenable) host.with_unopenable_dev_kvm();
  for (const auto& module : host_case.modules) host.with_module(module);
  host.with_cpu_flags(host_case.cpu_flags);
  const auto assessment = assess_kvm(host.paths());
  EXPECT_EQ(assessment.verdict, host_case.verdict);
  EXPECT_THAT(assessment.reason, HasSubstr(host_case.reason_part));
}

INSTANTIATE_TEST_SUITE_P(Hosts, KvmAssessmentOf, ::testing::ValuesIn(host_cases),
                         [](const ::testing::TestParamInfo<HostCase>& info) { return std::string(info.param.name); });

TEST(ChooseAccelerator, AutoTakesKvmWhereItWorksWithoutProbing) {
  const auto choice = choose_accelerator(AcceleratorRequest::automatic, {Verdict::works, "kvm_intel with vmx"},
                                         probe_that_must_not_run());
  EXPECT_EQ(choice.accelerator, Accelerator::kvm);
  EXPECT_EQ(choice.reason, "kvm_intel with vmx");
}

TEST(ChooseAccelerator, AutoFallsBackToTcgWithTheReason) {
  const auto choice =
      choose_accelerator(AcceleratorRequest::automatic,
                         {Verdict::cannot_work, "kvm_pvm: a paravirtual nested KVM cannot boot a stock guest kernel"},
                         probe_that_must_not_run());
  EXPECT_EQ(choice.accelerator, Accelerator::tcg);
  EXPECT_THAT(choice.reason, HasSubstr("kvm_pvm"));
}

TEST(ChooseAccelerator, KvmWhereItCannotWorkIsOneLineNamingTheReasonAndTheFix) {
  try {
    choose_accelerator(AcceleratorRequest::kvm, {Verdict::cannot_work, "kvm_pvm: a paravirtual nested KVM"},
                       probe_that_must_not_run());
    FAIL() << "no AcceleratorUnavailable";
  } catch (const AcceleratorUnavailable& error) {
    const std::string message = error.what();
    EXPECT_THAT(message, HasSubstr("--accel kvm: kvm_pvm"));
    EXPECT_THAT(message, HasSubstr("--accel tcg"));
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

TEST(ChooseAccelerator, TcgIsTakenAsAsked) {
  EXPECT_EQ(
      choose_accelerator(AcceleratorRequest::tcg, {Verdict::works, "kvm_intel with vmx"}, probe_that_must_not_run())
          .accelerator,
      Accelerator::tcg);
}

TEST(ChooseAccelerator, UnknownAsksTheProbeOnce) {
  int probes = 0;
  const auto booted = [&probes]() -> std::optional<std::string> {
    ++probes;
    return std::nullopt;
  };
  const auto choice = choose_accelerator(AcceleratorRequest::automatic, {Verdict::unknown, "no module"}, booted);
  EXPECT_EQ(choice.accelerator, Accelerator::kvm);
  EXPECT_THAT(choice.reason, HasSubstr("probe boot under KVM succeeded"));
  EXPECT_EQ(probes, 1);
}

TEST(ChooseAccelerator, UnknownWithAFailedProbeIsTcgForAutoAndAnErrorForKvm) {
  const auto hung = []() -> std::optional<std::string> { return "no BENCHRUN READY within 20 s"; };
  const auto choice = choose_accelerator(AcceleratorRequest::automatic, {Verdict::unknown, "no module"}, hung);
  EXPECT_EQ(choice.accelerator, Accelerator::tcg);
  EXPECT_THAT(choice.reason, HasSubstr("probe boot under KVM failed: no BENCHRUN READY"));
  EXPECT_THROW(choose_accelerator(AcceleratorRequest::kvm, {Verdict::unknown, "no module"}, hung),
               AcceleratorUnavailable);
}

TEST(AcceleratorRequest, ParsesTheThreeChoicesAndNamesThemOnBadInput) {
  EXPECT_EQ(parse_accelerator_request("auto"), AcceleratorRequest::automatic);
  EXPECT_EQ(parse_accelerator_request("kvm"), AcceleratorRequest::kvm);
  EXPECT_EQ(parse_accelerator_request("tcg"), AcceleratorRequest::tcg);
  try {
    parse_accelerator_request("hvf");
    FAIL() << "accepted hvf";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(), HasSubstr("auto, kvm or tcg"));
  }
  EXPECT_EQ(domain_type_of(Accelerator::tcg), "qemu");
  EXPECT_EQ(domain_type_of(Accelerator::kvm), "kvm");
}

}  // namespace
}  // namespace benchrun::vm
