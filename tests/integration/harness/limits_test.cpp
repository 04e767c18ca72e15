// `benchrun --suite limits` end to end, as root, for real: every check holds on our containers, crun and runc
// (exit 0, a passing verdict per check in report.json), and each check flips to fail when its limit is removed
// (--limits-off: exit 1, every verdict failing with its reason). Nothing may be left behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>
#include <set>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;

const std::vector<std::string> every_verdict = {"memory.oom_kill",
                                                "memory.peak_within_limit",
                                                "cpu.quota",
                                                "pids.max",
                                                "cpuset.cpus",
                                                "cpu.weight",
                                                "freezer.no_progress",
                                                "freezer.gap_seen",
                                                "freezer.resumed_intact"};
// Verdicts on the devices check.
const std::vector<std::string> devices_verdicts = {"devices.denied", "devices.allowed_still_work", "devices.host_view"};
// A check's control, which holds with its limit off too: /dev/null works with or without the devices cgroup.
const std::set<std::string> controls = {"devices.allowed_still_work"};

std::vector<std::string> with_devices(std::vector<std::string> names) {
  names.insert(names.end(), devices_verdicts.begin(), devices_verdicts.end());
  return names;
}
// The checks of limits_io.hpp, and theirs.
const std::vector<std::string> io_checks = {"io-read-bps", "io-read-iops", "page-cache"};
const std::vector<std::string> io_verdicts = {"io.read_bps", "io.read_iops", "page_cache.within_limit"};

bool host_has_swap() {
  const std::string swaps = read_text("/proc/swaps");
  return swaps.find('\n') + 1 < swaps.size();
}

std::vector<std::string> with(std::vector<std::string> names, const std::vector<std::string>& more) {
  names.insert(names.end(), more.begin(), more.end());
  return names;
}

// Every verdict of a default run: the checks above, the devices check's and the I/O checks'.
std::vector<std::string> all_verdicts() { return with(with_devices(every_verdict), io_verdicts); }

class LimitsSuite : public LeakCheckedTest {
 protected:
  [[nodiscard]] std::vector<std::string> limits_args(const std::string& backend,
                                                     std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"--suite", "limits", "--backends", backend, "-q", "--out", out_.path().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  [[nodiscard]] json report() const {
    EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
    return json::parse(read_text(out_.path() / "report.json"));
  }
  // check -> verdict, for one backend.
  static std::map<std::string, json> verdicts_of(const json& report, const std::string& backend) {
    std::map<std::string, json> verdicts;
    for (const auto& verdict : report.at("verdicts")) {
      if (verdict.at("backend") == backend) verdicts[verdict.at("check")] = verdict;
    }
    return verdicts;
  }

  TempDir out_;
};

TEST_F(LimitsSuite, EveryCheckHoldsOnContainersFromBothSides) {
  const auto result = run_benchrun(limits_args("container"));
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const auto verdicts = verdicts_of(report(), "container");
  ASSERT_EQ(verdicts.size(), all_verdicts().size());
  for (const auto& name : all_verdicts()) {
    ASSERT_TRUE(verdicts.contains(name)) << name;
    const json& verdict = verdicts.at(name);
    EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_FALSE(verdict.at("measured").is_null()) << verdict.dump();
    EXPECT_FALSE(verdict.at("why").get<std::string>().empty());
  }
  EXPECT_EQ(verdicts.at("cpu.quota").at("tolerance").get<double>(), 0.10);
  EXPECT_EQ(verdicts.at("pids.max").at("measured").get<double>(), 16.0);
  EXPECT_EQ(verdicts.at("memory.oom_kill").at("measured").get<double>(), 1.0);
  EXPECT_EQ(verdicts.at("cpu.weight").at("tolerance").get<double>(), 0.10);
  EXPECT_NE(verdicts.at("cpu.weight").at("why").get<std::string>().find("error"), std::string::npos);
  // The ticker's own clock saw the frozen window as one gap at least as long as it (less the stated 5 %).
  const json& gap = verdicts.at("freezer.gap_seen");
  EXPECT_GE(gap.at("measured").get<double>(), gap.at("configured").get<double>() * 0.95) << gap.dump();
  EXPECT_EQ(verdicts.at("freezer.resumed_intact").at("measured"), "intact");
  EXPECT_EQ(verdicts.at("io.read_bps").at("tolerance").get<double>(), 0.10);
  EXPECT_EQ(verdicts.at("io.read_bps").at("configured").get<double>(), 8.0 * (1 << 20));
  EXPECT_EQ(verdicts.at("io.read_iops").at("configured").get<double>(), 200.0);
  EXPECT_EQ(verdicts.at("page_cache.within_limit").at("configured").get<double>(), 30.0);
}

// memory+swap needs swap, which benchrun never turns on: on a host without it the run says so and still passes.
TEST_F(LimitsSuite, MemorySwapSaysNotApplicableWithoutSwapAndTheRunPasses) {
  if (host_has_swap()) GTEST_SKIP() << "this host has swap: the memory-swap check is not built for it yet";
  const auto result = run_benchrun(limits_args("container"));
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_NE(result.err.find("container: memory-swap: not applicable: no swap on this host"), std::string::npos)
      << result.err;
  const json measured = report();
  const auto& warnings = measured.at("warnings");
  EXPECT_TRUE(std::any_of(warnings.begin(), warnings.end(), [](const json& warning) {
    return warning.get<std::string>().find("memory-swap: not applicable: no swap on this host") != std::string::npos;
  })) << warnings.dump();
  for (const auto& verdict : measured.at("verdicts"))
    EXPECT_FALSE(verdict.at("check").get<std::string>().starts_with("memory_swap"));
}

// crun and runc remove the instance's cgroup when its init exits: the host's view is read while it runs
// (limits_host.hpp), and the verdicts say so.
TEST_F(LimitsSuite, EveryCheckHoldsOnCrunAndRunc) {
  const auto result = run_benchrun(limits_args("oci:crun,oci:runc"));
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const json measured = report();
  for (const std::string backend : {"oci:crun", "oci:runc"}) {
    const auto verdicts = verdicts_of(measured, backend);
    EXPECT_EQ(verdicts.size(), all_verdicts().size()) << backend;
    for (const auto& [name, verdict] : verdicts) EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
  }
}

TEST_F(LimitsSuite, EachCheckFlipsToFailWithoutItsLimitAndTheRunExitsOne) {
  std::vector<std::string> off{"--limits-off", "memory",       "--limits-off", "cpu-quota",    "--limits-off",
                               "pids",         "--limits-off", "cpuset",       "--limits-off", "cpu-weight",
                               "--limits-off", "freezer",      "--limits-off", "devices"};
  for (const auto& check : io_checks) off.insert(off.end(), {"--limits-off", check});
  const auto result = run_benchrun(limits_args("container", off));
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  const auto verdicts = verdicts_of(report(), "container");
  ASSERT_EQ(verdicts.size(), all_verdicts().size());
  for (const auto& name : all_verdicts()) {
    ASSERT_TRUE(verdicts.contains(name)) << name;
    const json& verdict = verdicts.at(name);
    if (controls.contains(name)) {
      EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
      continue;
    }
    EXPECT_FALSE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_NE(verdict.at("why").get<std::string>().find("--limits-off"), std::string::npos) << verdict.dump();
    EXPECT_NE(result.err.find(name), std::string::npos) << "the failure is named on stderr: " << result.err;
  }
}

TEST_F(LimitsSuite, OneCheckOffFailsThatCheckAlone) {
  const auto result = run_benchrun(limits_args("container", {"--limits-off", "pids"}));
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  for (const auto& [name, verdict] : verdicts_of(report(), "container"))
    EXPECT_EQ(verdict.at("pass").get<bool>(), name != "pids.max") << verdict.dump();
}

// The weight check alone off, on the runtimes whose weight is not ours: at the default weights the two
// burners split the CPU evenly, and the check says so.
TEST_F(LimitsSuite, TheWeightCheckFlipsOnCrunAndRunc) {
  const auto result = run_benchrun(limits_args("oci:crun,oci:runc", {"--limits-off", "cpu-weight"}));
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  const json measured = report();
  for (const std::string backend : {"oci:crun", "oci:runc"}) {
    for (const auto& [name, verdict] : verdicts_of(measured, backend))
      EXPECT_EQ(verdict.at("pass").get<bool>(), name != "cpu.weight") << verdict.dump();
  }
}

// stress-ng, a tool nobody here wrote, measures the CPU quota inside the same instance as our burner
// (image guest holds it): the three agree, and without the quota its own figure fails the check.
TEST_F(LimitsSuite, StressNgAgreesWithTheQuotaOurBurnerAndTheHost) {
  const auto result = run_benchrun(limits_args("container,oci:crun", {"--image", "guest", "--observer", "stress-ng"}));
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const json measured = report();
  for (const std::string backend : {"container", "oci:crun"}) {
    const auto verdicts = verdicts_of(measured, backend);
    // Every check's, cpu-quota-stress-ng's and memory-stress-ng's two.
    EXPECT_EQ(verdicts.size(), all_verdicts().size() + 3) << backend;
    ASSERT_TRUE(verdicts.contains("cpu.quota.stress-ng")) << backend;
    const json& verdict = verdicts.at("cpu.quota.stress-ng");
    EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
    const auto why = verdict.at("why").get<std::string>();
    EXPECT_NE(why.find("stress-ng (its --metrics usr+sys over wall)"), std::string::npos) << why;
    EXPECT_NE(why.find("our burner"), std::string::npos) << why;
    EXPECT_NE(why.find("the cgroup"), std::string::npos) << why;
  }
}

TEST_F(LimitsSuite, StressNgWithoutTheQuotaFails) {
  const auto result = run_benchrun(
      limits_args("container", {"--image", "guest", "--observer", "stress-ng", "--limits-off", "cpu-quota-stress-ng"}));
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  for (const auto& [name, verdict] : verdicts_of(report(), "container"))
    EXPECT_EQ(verdict.at("pass").get<bool>(), name != "cpu.quota.stress-ng") << verdict.dump();
}

// stress-ng's vm stressor past the memory limit (image guest holds it): stress-ng reports its stressor
// OOM-killed once, the cgroup counts that one kill and peaks within the limit, on our containers and the peers.
TEST_F(LimitsSuite, StressNgSeesItsStressorOomKilledOnceAsTheCgroupCounts) {
  const auto result = run_benchrun(limits_args(
      "container,oci:crun,oci:runc", {"--image", "guest", "--observer", "stress-ng", "--cases", "memory-stress-ng"}));
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const json measured = report();
  for (const std::string backend : {"container", "oci:crun", "oci:runc"}) {
    const auto verdicts = verdicts_of(measured, backend);
    ASSERT_EQ(verdicts.size(), 2U) << backend;
    const json& oom = verdicts.at("memory.oom_kill.stress-ng");
    EXPECT_TRUE(oom.at("pass").get<bool>()) << oom.dump();
    EXPECT_EQ(oom.at("measured").get<double>(), 1.0) << oom.dump();
    const auto why = oom.at("why").get<std::string>();
    EXPECT_NE(why.find("stress-ng reported its vm stressor killed by the OOM killer 1 time"), std::string::npos) << why;
    EXPECT_NE(why.find("the cgroup counted 1: they agree"), std::string::npos) << why;
    const json& peak = verdicts.at("memory.peak_within_limit.stress-ng");
    EXPECT_TRUE(peak.at("pass").get<bool>()) << peak.dump();
    EXPECT_LE(peak.at("measured").get<double>(), 32.0) << peak.dump();
    EXPECT_NE(peak.at("why").get<std::string>().find("stress-ng's own RSS Max"), std::string::npos) << peak.dump();
  }
}

// Without the limit the stressor keeps its 64 MiB until stress-ng's 3 s timeout: nothing killed, both fail.
TEST_F(LimitsSuite, StressNgWithoutTheMemoryLimitSeesNoKillAndFails) {
  const auto result = run_benchrun(limits_args("container", {"--image", "guest", "--observer", "stress-ng", "--cases",
                                                             "memory-stress-ng", "--limits-off", "memory-stress-ng"}));
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  const auto verdicts = verdicts_of(report(), "container");
  ASSERT_EQ(verdicts.size(), 2U);
  for (const auto& [name, verdict] : verdicts) {
    EXPECT_FALSE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_NE(verdict.at("why").get<std::string>().find("--limits-off"), std::string::npos) << verdict.dump();
  }
  EXPECT_NE(verdicts.at("memory.oom_kill.stress-ng").at("why").get<std::string>().find("OOM killer 0 times"),
            std::string::npos);
  EXPECT_NE(verdicts.at("memory.peak_within_limit.stress-ng").at("why").get<std::string>().find("it held them all"),
            std::string::npos);
}

TEST_F(LimitsSuite, TheObserverNeedsAnImageThatHoldsIt) {
  EXPECT_NE(refusal_of(limits_args("container", {"--observer", "stress-ng"})).find("--image guest"), std::string::npos);
  EXPECT_NE(refusal_of(limits_args("container", {"--observer", "top"})).find("--observer"), std::string::npos);
}

// The freezer check on the peers: `<runtime> pause` / `resume`, judged from the host and the ticker; and without
// the freeze every one of its verdicts fails, the others untouched.
TEST_F(LimitsSuite, TheFreezerCheckFlipsToFailWithoutTheFreezeOnThePeersToo) {
  const auto result = run_benchrun(limits_args("oci:crun,oci:runc", {"--limits-off", "freezer"}));
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  const json measured = report();
  for (const std::string backend : {"oci:crun", "oci:runc"}) {
    const auto verdicts = verdicts_of(measured, backend);
    EXPECT_EQ(verdicts.size(), all_verdicts().size()) << backend;
    for (const auto& [name, verdict] : verdicts) {
      EXPECT_EQ(verdict.at("pass").get<bool>(), !name.starts_with("freezer.")) << verdict.dump();
    }
  }
}

// The devices flip on every backend that has it: our container without its devices cgroup, crun and runc with
// one allow-all device rule. The node opens and the host sees no restriction; /dev/null works either way.
TEST_F(LimitsSuite, TheDevicesCheckFlipsToFailOnEveryBackendWithoutItsRestriction) {
  const auto result = run_benchrun(limits_args("container,oci:crun,oci:runc", {"--limits-off", "devices"}));
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  const json measured = report();
  for (const std::string backend : {"container", "oci:crun", "oci:runc"}) {
    const auto verdicts = verdicts_of(measured, backend);
    for (const auto& name : devices_verdicts) {
      ASSERT_TRUE(verdicts.contains(name)) << backend << " " << name;
      const json& verdict = verdicts.at(name);
      EXPECT_EQ(verdict.at("pass").get<bool>(), controls.contains(name)) << backend << " " << verdict.dump();
    }
    EXPECT_EQ(verdicts.at("devices.denied").at("measured"), "0") << "the node opened on " << backend;
    for (const auto& name : every_verdict) EXPECT_TRUE(verdicts.at(name).at("pass").get<bool>()) << backend << name;
  }
}

// The I/O and page-cache checks without their limits on crun: the reader runs far past the throttle and the
// cgroup reads no limit, the page cache grows past 30 MiB; every other verdict still passes.
TEST_F(LimitsSuite, TheIoAndPageCacheChecksOffFailThemAloneOnCrun) {
  std::vector<std::string> off;
  for (const auto& check : io_checks) off.insert(off.end(), {"--limits-off", check});
  const auto result = run_benchrun(limits_args("oci:crun", off));
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  const auto verdicts = verdicts_of(report(), "oci:crun");
  EXPECT_EQ(verdicts.size(), all_verdicts().size());
  for (const auto& [name, verdict] : verdicts) {
    const bool off_check = std::find(io_verdicts.begin(), io_verdicts.end(), name) != io_verdicts.end();
    EXPECT_EQ(verdict.at("pass").get<bool>(), !off_check) << verdict.dump();
    if (!off_check) continue;
    const std::string why = verdict.at("why").get<std::string>();
    EXPECT_NE(why.find(name == "page_cache.within_limit" ? "no memory limit" : "no read limit"), std::string::npos)
        << why;
    EXPECT_NE(why.find(name == "page_cache.within_limit" ? "over the limit" : "over the 10 % allowed"),
              std::string::npos)
        << why;
  }
}

// A benchrun killed while an I/O check's loop device is attached and mounted leaves it, its mount and its
// folder; the sweep (here benchrun cleanup) unmounts, detaches and removes them. The kill waits for the mount:
// before it (during mkfs) the device's only user is benchrun's fd, and autoclear detaches it with the process.
TEST_F(LimitsSuite, CleanupDetachesTheLoopDeviceOfAKilledRun) {
  start_and_kill(limits_args("container"), "mount /dev/loop", std::chrono::minutes(2));
  const auto cleanup = run_benchrun({"cleanup"});
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.err;
  EXPECT_THAT(cleanup.out, ::testing::HasSubstr(", 1 loop devices")) << cleanup.out;
}

TEST_F(LimitsSuite, AnUnknownCheckOrALimitFlagIsRefused) {
  EXPECT_NE(refusal_of(limits_args("container", {"--limits-off", "swap"})).find("--limits-off"), std::string::npos);
  EXPECT_NE(refusal_of(limits_args("container", {"--memory", "64M"})).find("drop --memory"), std::string::npos);
}

}  // namespace
}  // namespace benchrun::testing
