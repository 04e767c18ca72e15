// `benchrun --suite limits` end to end, as root, for real: every check holds on our containers, crun and runc
// (exit 0, a passing verdict per check in report.json), and each check flips to fail when its limit is removed
// (--limits-off: exit 1, every verdict failing with its reason). Nothing may be left behind.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;

const std::vector<std::string> every_verdict = {
    "memory.oom_kill", "memory.peak_within_limit", "cpu.quota", "pids.max", "cpuset.cpus", "cpu.weight"};

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
  ASSERT_EQ(verdicts.size(), every_verdict.size());
  for (const auto& name : every_verdict) {
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
}

// crun and runc remove the instance's cgroup when its init exits: the host's view is read while it runs
// (limits_host.hpp), and the verdicts say so.
TEST_F(LimitsSuite, EveryCheckHoldsOnCrunAndRunc) {
  const auto result = run_benchrun(limits_args("oci:crun,oci:runc"));
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const json measured = report();
  for (const std::string backend : {"oci:crun", "oci:runc"}) {
    const auto verdicts = verdicts_of(measured, backend);
    EXPECT_EQ(verdicts.size(), every_verdict.size()) << backend;
    for (const auto& [name, verdict] : verdicts) EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
  }
}

TEST_F(LimitsSuite, EachCheckFlipsToFailWithoutItsLimitAndTheRunExitsOne) {
  const auto result =
      run_benchrun(limits_args("container", {"--limits-off", "memory", "--limits-off", "cpu-quota", "--limits-off",
                                             "pids", "--limits-off", "cpuset", "--limits-off", "cpu-weight"}));
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  const auto verdicts = verdicts_of(report(), "container");
  ASSERT_EQ(verdicts.size(), every_verdict.size());
  for (const auto& name : every_verdict) {
    ASSERT_TRUE(verdicts.contains(name)) << name;
    const json& verdict = verdicts.at(name);
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
    EXPECT_EQ(verdicts.size(), every_verdict.size() + 1) << backend;
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

TEST_F(LimitsSuite, TheObserverNeedsAnImageThatHoldsIt) {
  EXPECT_NE(refusal_of(limits_args("container", {"--observer", "stress-ng"})).find("--image guest"), std::string::npos);
  EXPECT_NE(refusal_of(limits_args("container", {"--observer", "top"})).find("--observer"), std::string::npos);
}

TEST_F(LimitsSuite, AnUnknownCheckOrALimitFlagIsRefused) {
  EXPECT_NE(refusal_of(limits_args("container", {"--limits-off", "swap"})).find("--limits-off"), std::string::npos);
  EXPECT_NE(refusal_of(limits_args("container", {"--memory", "64M"})).find("drop --memory"), std::string::npos);
}

}  // namespace
}  // namespace benchrun::testing
