#include "harness/cli.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness/backends/registry.hpp"
#include "harness/suites/registry.hpp"
#include "sys/file_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::harness {
namespace {

Command parse(std::vector<std::string> args) {
  args.insert(args.begin(), "benchrun");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  return parse_command_line(static_cast<int>(argv.size()), argv.data());
}

std::string usage_error_of(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const UsageError& error) {
    return error.what();
  }
  return "(accepted)";
}

TEST(Cli, SuiteDefaultsToEveryBackendWithHello) {
  const auto options = std::get<SuiteOptions>(parse({"--suite", "startup"}));
  EXPECT_EQ(options.suite, "startup");
  EXPECT_EQ(options.backends, (std::vector<std::string>{"native", "container", "oci:crun", "oci:runc", "vm"}));
  EXPECT_EQ(options.cases, (std::vector<reports::Case>{{"hello", "hello", {}, {}}}));
  EXPECT_GE(options.runs, 1);
}

TEST(Cli, TheStartupSuiteMeasuresOneCaseNamedAfterItsWorkloadUnderTheLimits) {
  const auto options = std::get<SuiteOptions>(
      parse({"--suite", "startup", "--backends", "container,native,container", "--workload", "spin 100", "--runs", "3",
             "--warmup", "0", "--memory", "64M", "--cpus", "0.5", "--pids", "16"}));
  EXPECT_EQ(options.backends, (std::vector<std::string>{"container", "native"}));
  EXPECT_EQ(options.runs, 3);
  EXPECT_EQ(options.warmup, 0);
  ASSERT_EQ(options.cases.size(), 1u);
  const reports::Case& test_case = options.cases.front();
  EXPECT_EQ(test_case.name, "spin");
  EXPECT_EQ(test_case.workload, "spin");
  EXPECT_EQ(test_case.workload_args, std::vector<std::string>{"100"});
  EXPECT_EQ(test_case.limits.memory_bytes, 64u << 20);
  EXPECT_DOUBLE_EQ(*test_case.limits.cpus, 0.5);
  EXPECT_EQ(test_case.limits.pids_max, 16u);
}

TEST(Cli, HelpListsEverySuiteAndBackendOfTheRegistriesWithItsHelp) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(std::get<ExitNow>(parse({"--help"})).code, 0);
  const std::string help = ::testing::internal::GetCapturedStdout();
  for (const auto& suite : suite_registry()) {
    EXPECT_NE(help.find(fmt::format("{:<10} {}", suite.name, suite.help)), std::string::npos) << help;
  }
  for (const auto& backend : backend_registry()) {
    EXPECT_NE(help.find(fmt::format("{:<10} {}", backend.name, backend.help)), std::string::npos) << help;
  }
}

TEST(Cli, EveryRegisteredSuiteAndBackendIsAccepted) {
  for (const auto& suite : suite_registry()) {
    for (const auto& backend : backend_registry()) {
      const auto options =
          std::get<SuiteOptions>(parse({"--suite", std::string(suite.name), "--backends", std::string(backend.name)}));
      EXPECT_EQ(options.suite, suite.name);
      EXPECT_EQ(options.backends, std::vector<std::string>{std::string(backend.name)});
    }
  }
}

TEST(Cli, AcceleratorIsAutoUnlessAskedForSuiteAndDoctor) {
  EXPECT_EQ(std::get<SuiteOptions>(parse({"--suite", "startup"})).accel, vm::AcceleratorRequest::automatic);
  EXPECT_EQ(std::get<SuiteOptions>(parse({"--suite", "startup", "--accel", "tcg"})).accel, vm::AcceleratorRequest::tcg);
  EXPECT_EQ(std::get<DoctorCommand>(parse({"doctor", "--accel", "kvm"})).accel, vm::AcceleratorRequest::kvm);
  EXPECT_EQ(std::get<DoctorCommand>(parse({"doctor"})).accel, vm::AcceleratorRequest::automatic);
  const std::string message = usage_error_of({"--suite", "startup", "--accel", "hvf"});
  EXPECT_NE(message.find("--accel: unknown accelerator 'hvf': choose auto, kvm or tcg"), std::string::npos) << message;
  EXPECT_NE(usage_error_of({"doctor", "--accel", "xen"}).find("choose auto, kvm or tcg"), std::string::npos);
}

TEST(Cli, StartDefaultsToBothColdBeforeWarm) {
  using reports::StartMode;
  EXPECT_EQ(std::get<SuiteOptions>(parse({"--suite", "startup"})).start_modes,
            (std::vector<StartMode>{StartMode::cold, StartMode::warm}));
  EXPECT_EQ(std::get<SuiteOptions>(parse({"--suite", "startup", "--start", "both"})).start_modes,
            (std::vector<StartMode>{StartMode::cold, StartMode::warm}));
  EXPECT_EQ(std::get<SuiteOptions>(parse({"--suite", "startup", "--start", "cold"})).start_modes,
            std::vector<StartMode>{StartMode::cold});
  EXPECT_EQ(std::get<SuiteOptions>(parse({"--suite", "startup", "--start", "warm"})).start_modes,
            std::vector<StartMode>{StartMode::warm});
}

TEST(Cli, UnknownStartModeIsOneLineNamingTheChoices) {
  const std::string message = usage_error_of({"--suite", "startup", "--start", "hot"});
  EXPECT_EQ(message, "unknown --start 'hot': choose one of cold, warm, both");
}

TEST(Cli, MergeTakesOneHostNamePerReportWithADashForItsOwn) {
  const auto merge = std::get<MergeCommand>(
      parse({"merge", "a.json", "b.json", "c.json", "--out", "fleet", "--host-names", "east,-,west"}));
  EXPECT_EQ(merge.files, (std::vector<std::filesystem::path>{"a.json", "b.json", "c.json"}));
  EXPECT_EQ(merge.out_dir, "fleet");
  EXPECT_EQ(merge.host_names, (std::vector<std::string>{"east", "", "west"}));
  EXPECT_TRUE(std::get<MergeCommand>(parse({"merge", "a.json", "--out", "f"})).host_names.empty());
  EXPECT_NE(usage_error_of({"merge", "a.json", "b.json", "--out", "f", "--host-names", "east"})
                .find("names 1 host(s) for 2 report(s)"),
            std::string::npos);
  EXPECT_NE(
      usage_error_of({"merge", "a.json", "b.json", "--out", "f", "--host-names", "east,"}).find("a name is empty"),
      std::string::npos);
  EXPECT_NE(usage_error_of({"merge", "a.json"}).find("--out"), std::string::npos);
}

TEST(Cli, ExportsAreRepeatableOnSuiteAndReport) {
  const auto suite = std::get<SuiteOptions>(
      parse({"--suite", "startup", "--export", "csv:s.csv", "--export", "github-action:gh.json"}));
  ASSERT_EQ(suite.exports.size(), 2U);
  EXPECT_EQ(suite.exports[0].kind, reports::ExportKind::csv);
  EXPECT_EQ(suite.exports[1].file, "gh.json");
  const auto report = std::get<ReportCommand>(parse({"report", "r.json", "--export", "markdown:t.md"}));
  ASSERT_EQ(report.exports.size(), 1U);
  EXPECT_EQ(report.exports[0].kind, reports::ExportKind::markdown);
}

TEST(Cli, BadExportSpecIsAUsageErrorNamingTheKinds) {
  for (const auto& message : {usage_error_of({"--suite", "startup", "--export", "xml:out.xml"}),
                              usage_error_of({"report", "r.json", "--export", "csv"})}) {
    EXPECT_NE(message.find("--export"), std::string::npos) << message;
    EXPECT_NE(message.find("gbench, github-action, markdown, csv"), std::string::npos) << message;
  }
}

TEST(Cli, BadInputIsOneLineThatNamesTheProblem) {
  EXPECT_NE(usage_error_of({"--suite", "nosuch"}).find("unknown suite 'nosuch'"), std::string::npos);
  EXPECT_NE(usage_error_of({"--suite", "startup", "--backends", "native,xen"}).find("unknown backend 'xen'"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"--suite", "startup", "--runs", "0"}).find("--runs 0"), std::string::npos);
  EXPECT_NE(usage_error_of({"--suite", "startup", "--memory", "lots"}).find("'lots'"), std::string::npos);
  EXPECT_NE(usage_error_of({"--suite", "startup", "--workload", " "}).find("empty --workload"), std::string::npos);
  EXPECT_NE(usage_error_of({}).find("--suite startup"), std::string::npos);
  EXPECT_NE(usage_error_of({"--bogus"}).find("--bogus"), std::string::npos);
  for (const auto& message : {usage_error_of({"--suite", "nosuch"}), usage_error_of({"--bogus"})}) {
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(Cli, CompareTakesTwoReportsAThresholdInPercentAndAnAlpha) {
  const auto defaults = std::get<CompareCommand>(parse({"compare", "base.json", "cur.json"}));
  EXPECT_EQ(defaults.baseline, "base.json");
  EXPECT_EQ(defaults.current, "cur.json");
  EXPECT_DOUBLE_EQ(defaults.threshold, 0.05);
  EXPECT_DOUBLE_EQ(defaults.alpha, 0.05);
  const auto chosen =
      std::get<CompareCommand>(parse({"compare", "b.json", "c.json", "--threshold", "10%", "--alpha", "0.01"}));
  EXPECT_DOUBLE_EQ(chosen.threshold, 0.10);
  EXPECT_DOUBLE_EQ(chosen.alpha, 0.01);
  EXPECT_DOUBLE_EQ(std::get<CompareCommand>(parse({"compare", "b", "c", "--threshold", "2.5"})).threshold, 0.025);
  for (const char* bad : {"-1%", "inf", "5%%", "x"}) {
    EXPECT_NE(usage_error_of({"compare", "b", "c", "--threshold", bad}).find("--threshold"), std::string::npos) << bad;
  }
  EXPECT_NE(usage_error_of({"compare", "b", "c", "--alpha", "2"}).find("--alpha"), std::string::npos);
  EXPECT_NE(usage_error_of({"compare", "only.json"}).find("current"), std::string::npos);
}

TEST(Cli, RunBuildsTheInstanceFromTheCommandAfterDoubleDashAndEverySwitch) {
  const auto options =
      std::get<RunCommandOptions>(parse({"run", "--backend", "container", "--memory", "64M", "--no-network-namespace",
                                         "--hostname", "box", "--user-namespace", "--no-seccomp", "--", "hog", "256"}));
  EXPECT_EQ(options.backend, "container");
  EXPECT_EQ(options.instance.workload, "hog");
  EXPECT_EQ(options.instance.workload_args, std::vector<std::string>{"256"});
  EXPECT_EQ(options.instance.limits.memory_bytes, 64u << 20);
  EXPECT_EQ(options.instance.hostname, "box");
  EXPECT_FALSE(options.instance.network_namespace);
  EXPECT_TRUE(options.instance.user_namespace);
  EXPECT_FALSE(options.instance.seccomp);
  EXPECT_FALSE(options.verbose);
}

TEST(Cli, RunDefaultsToAContainerWithEveryIsolation) {
  const auto options = std::get<RunCommandOptions>(parse({"run", "--", "hello"}));
  EXPECT_EQ(options.backend, "container");
  EXPECT_EQ(options.instance.hostname, "") << "the instance's name";
  EXPECT_TRUE(options.instance.network_namespace);
  EXPECT_FALSE(options.instance.user_namespace);
  EXPECT_TRUE(options.instance.seccomp);
  EXPECT_FALSE(options.instance.limits.any());
}

TEST(Cli, RunVerboseIsAFlagBeforeTheCommand) {
  EXPECT_TRUE(std::get<RunCommandOptions>(parse({"run", "--verbose", "--", "hello"})).verbose);
  EXPECT_TRUE(std::get<RunCommandOptions>(parse({"run", "-v", "--", "hello"})).verbose);
  // After --, -v belongs to the workload.
  const auto options = std::get<RunCommandOptions>(parse({"run", "--", "sh", "-v"}));
  EXPECT_FALSE(options.verbose);
  EXPECT_EQ(options.instance.workload, "sh");
  EXPECT_EQ(options.instance.workload_args, std::vector<std::string>{"-v"});
}

TEST(Cli, RunRejectsBackendsItCannotRunByHand) {
  EXPECT_EQ(usage_error_of({"run", "--backend", "crun", "--", "hello"}),
            "backend 'crun' is not available for 'run': use container or vm");
}

TEST(Cli, RunInAGuestTakesItsCgroupLayoutResultsFolderAndTimeout) {
  const auto options =
      std::get<RunCommandOptions>(parse({"run", "--backend", "vm", "--image", "runtime-tests", "--guest-cgroup", "v2",
                                         "--results", "out", "--timeout", "30", "--memory", "1G", "--", "ls", "-l"}));
  EXPECT_EQ(options.backend, "vm");
  EXPECT_EQ(options.image.name, "runtime-tests");
  EXPECT_EQ(options.guest_cgroup, vm::CgroupLayout::v2);
  EXPECT_EQ(options.results_dir, std::filesystem::path("out"));
  EXPECT_EQ(options.timeout, std::chrono::seconds(30));
  EXPECT_EQ(options.instance.limits.memory_bytes, std::uint64_t{1} << 30);
  EXPECT_EQ(options.instance.workload, "ls");
  const auto plain = std::get<RunCommandOptions>(parse({"run", "--backend", "vm", "--", "hello"}));
  EXPECT_EQ(plain.guest_cgroup, std::nullopt);
  EXPECT_TRUE(plain.results_dir.empty());
  EXPECT_EQ(plain.timeout, std::nullopt);
}

TEST(Cli, RunRefusesGuestFlagsWithoutAGuestAndContainerFlagsWithOne) {
  EXPECT_EQ(usage_error_of({"run", "--backend", "vm", "--guest-cgroup", "v3", "--", "hello"}),
            "--guest-cgroup v3: use v2, v1 or hybrid");
  EXPECT_EQ(usage_error_of({"run", "--guest-cgroup", "v2", "--", "hello"}), "--guest-cgroup needs --backend vm");
  EXPECT_EQ(usage_error_of({"run", "--results", "out", "--", "hello"}), "--results needs --backend vm");
  EXPECT_EQ(usage_error_of({"run", "--timeout", "5", "--", "hello"}), "--timeout needs --backend vm");
  EXPECT_EQ(usage_error_of({"run", "--backend", "vm", "--user-namespace", "--", "hello"}),
            "--user-namespace is for container backends: drop it with --backend vm");
  EXPECT_EQ(usage_error_of({"run", "--backend", "vm", "--pids", "5", "--", "hello"}),
            "--pids is for container backends: drop it with --backend vm");
}

TEST(Cli, SuitesTakeTheGuestsCgroupLayoutAndKernelParameters) {
  const auto options =
      std::get<SuiteOptions>(parse({"--suite", "startup", "--backends", "vm,vm+container", "--guest-cgroup", "hybrid",
                                    "--guest-kernel-args", "panic=1 a=b"}));
  EXPECT_EQ(options.guest_cgroup, vm::CgroupLayout::hybrid);
  EXPECT_EQ(options.guest_kernel_args, (std::vector<std::string>{"panic=1", "a=b"}));
  const auto plain = std::get<SuiteOptions>(parse({"--suite", "startup", "--backends", "vm"}));
  EXPECT_FALSE(plain.guest_cgroup.has_value()) << "vm guests mount no cgroups unless asked";
  EXPECT_THAT(usage_error_of({"--suite", "startup", "--guest-cgroup", "v3"}), ::testing::HasSubstr("v2, v1, hybrid"));
}

TEST(Cli, VmContainerIsNotADefaultBackendButCanBeNamed) {
  const auto defaults = std::get<SuiteOptions>(parse({"--suite", "startup"}));
  EXPECT_EQ(std::count(defaults.backends.begin(), defaults.backends.end(), "vm+container"), 0);
  const auto named = std::get<SuiteOptions>(parse({"--suite", "startup", "--backends", "native,vm+container"}));
  EXPECT_EQ(named.backends, (std::vector<std::string>{"native", "vm+container"}));
}

// --observer stress-ng adds its check to the limits suite's cases, and only where the image holds stress-ng.
TEST(Cli, TheLimitsObserverNeedsAnImageThatHoldsIt) {
  const testing::TempDir images{"cli-images"};
  std::filesystem::create_directories(images.path() / "guest/rootfs/usr/bin");
  sys::write_file_new(images.path() / "guest/rootfs/usr/bin/stress-ng", "");
  const std::string dir = images.path().string();
  const auto case_names = [](const SuiteOptions& options) {
    std::vector<std::string> names;
    for (const auto& one : options.cases) names.push_back(one.name);
    return names;
  };
  const auto observed = std::get<SuiteOptions>(
      parse({"--suite", "limits", "--images-dir", dir, "--image", "guest", "--observer", "stress-ng"}));
  EXPECT_THAT(case_names(observed), ::testing::Contains("cpu-quota-stress-ng"));
  EXPECT_THAT(case_names(observed), ::testing::Contains("memory-stress-ng"));
  const auto plain = std::get<SuiteOptions>(parse({"--suite", "limits", "--images-dir", dir, "--image", "guest"}));
  EXPECT_THAT(case_names(plain), ::testing::Not(::testing::Contains("cpu-quota-stress-ng")));
  EXPECT_THAT(case_names(plain), ::testing::Not(::testing::Contains("memory-stress-ng")));
  EXPECT_THAT(case_names(plain), ::testing::Contains("cpu-weight"));
  EXPECT_NE(usage_error_of({"--suite", "limits", "--images-dir", dir, "--observer", "stress-ng"}).find("--image guest"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"--suite", "limits", "--images-dir", dir, "--image", "guest", "--observer", "top"})
                .find("--observer"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"--suite", "startup", "--images-dir", dir, "--image", "guest", "--observer", "stress-ng"})
                .find("--suite limits"),
            std::string::npos);
}

}  // namespace
}  // namespace benchrun::harness
