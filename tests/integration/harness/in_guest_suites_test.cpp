// `benchrun --suite limits` and `--suite isolation` on vm+container, as root, with real QEMU and libvirt: each
// step boots a guest of image "guest" whose benchrun runs the suite on its container and sends its report back
// over the results channel (harness/suites/in_guest_suite.hpp). The checks hold on a cgroup v2 guest (the
// default) and on a v1 one; --limits-off and --isolation-off flip them to fail; a guest that fails gives
// failing verdicts with the console's tail. Few boots (TCG: seconds each), nothing left on the host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "benchrun_process.hpp"
#include "report_verdicts.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class InGuestSuites : public LeakCheckedTest {
 protected:
  // Each step is a guest boot plus the inner suite: a generous timeout under TCG.
  CommandResult run(const std::string& suite, std::vector<std::string> extra) {
    std::vector<std::string> args{"--suite",   suite, "--backends", "vm+container",      "-q",
                                  "--timeout", "150", "--out",      out_.path().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_benchrun(args);
  }
  [[nodiscard]] json report() const { return read_report(out_.path()); }
  // check -> verdict, vm+container's only (no other backend ran).
  [[nodiscard]] std::map<std::string, json> verdicts() const { return verdicts_of_only(report(), "vm+container"); }

  TempDir out_;
};

TEST_F(InGuestSuites, MemoryAndPidsHoldInsideACgroupV2GuestReadFromTheGuestsSide) {
  const auto result = run("limits", {"--cases", "memory,pids"});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const auto found = verdicts();
  ASSERT_EQ(found.size(), 3U) << report().at("verdicts").dump();
  for (const std::string check : {"memory.oom_kill", "memory.peak_within_limit", "pids.max"}) {
    ASSERT_TRUE(found.contains(check)) << check;
    const json& verdict = found.at(check);
    EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("inside the vm+container guest (cgroup v2"));
  }
  EXPECT_EQ(found.at("memory.oom_kill").at("measured").get<double>(), 1.0);
  EXPECT_LE(found.at("memory.peak_within_limit").at("measured").get<double>(), 32.0);
  EXPECT_EQ(found.at("pids.max").at("measured").get<double>(), 16.0);
  // The inner run's samples, with the workload's own figures.
  int samples = 0;
  const json whole = report();
  for (const auto& sample : whole.at("samples")) {
    EXPECT_EQ(sample.at("backend"), "vm+container");
    EXPECT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
    if (sample.at("case_name") == "memory") {
      EXPECT_EQ(sample.at("metrics").at("hog_signal"), 9) << sample.dump();
    }
    ++samples;
  }
  EXPECT_EQ(samples, 2);
}

// cpuset too: the guest gets two vCPUs for it, so an unconfined workload has another CPU to show up on.
TEST_F(InGuestSuites, MemoryAndCpusetWithoutTheirLimitsFailInsideTheGuest) {
  const auto result = run("limits", {"--cases", "memory,cpuset", "--limits-off", "memory", "--limits-off", "cpuset"});
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  const auto found = verdicts();
  ASSERT_EQ(found.size(), 3U) << report().at("verdicts").dump();
  EXPECT_EQ(found.at("cpuset.cpus").at("measured"), "0-1") << found.at("cpuset.cpus").dump();
  for (const auto& [check, verdict] : found) {
    EXPECT_FALSE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("--limits-off")) << verdict.dump();
  }
  EXPECT_THAT(result.err, HasSubstr("vm+container guest: container: memory ran without its limit"));
}

TEST_F(InGuestSuites, TheChecksHoldOnACgroupV1GuestToo) {
  const auto result = run("limits", {"--cases", "memory", "--guest-cgroup", "v1"});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const auto found = verdicts();
  ASSERT_EQ(found.size(), 2U);
  for (const auto& [check, verdict] : found) {
    EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("(cgroup v1")) << verdict.dump();
  }
}

TEST_F(InGuestSuites, IsolationHoldsInsideTheGuestAndAPidNamespaceRemovedFailsExactlyItsChecks) {
  auto result = run("isolation", {});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  auto found = verdicts();
  EXPECT_GE(found.size(), 17U);
  for (const auto& [check, verdict] : found) {
    EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("inside the vm+container guest"));
  }

  result = run("isolation", {"--isolation-off", "pid-ns"});
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  std::set<std::string> failed;
  for (const auto& [check, verdict] : verdicts()) {
    if (!verdict.at("pass").get<bool>()) failed.insert(check);
  }
  EXPECT_EQ(failed, (std::set<std::string>{"pid.init_is_benchinit", "pid.host_pids_hidden"}));
  EXPECT_THAT(result.err, HasSubstr("vm+container guest: container: --isolation-off pid-ns: protections removed"));
}

TEST_F(InGuestSuites, AGuestThatFailsGivesFailingVerdictsWithTheConsolesTail) {
  // No such init: the kernel panics; panic=1 reboots it, which ends the domain.
  auto result = run("limits", {"--cases", "pids", "--guest-kernel-args", "rdinit=/nonexistent panic=1"});
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  const auto found = verdicts();
  ASSERT_EQ(found.size(), 1U);
  const json& verdict = found.at("pids.host_view");
  EXPECT_FALSE(verdict.at("pass").get<bool>());
  EXPECT_THAT(verdict.at("why").get<std::string>(), HasSubstr("Kernel panic")) << verdict.dump();
  const json whole = report();
  ASSERT_EQ(whole.at("samples").size(), 1U);
  EXPECT_FALSE(whole.at("samples")[0].at("ok").get<bool>());

  // The isolation suite the same way: every check failed, with the reason.
  result = run("isolation", {"--guest-kernel-args", "rdinit=/nonexistent panic=1"});
  ASSERT_EQ(result.exit_code, 1) << result.err << result.out;
  for (const auto& [check, each] : verdicts()) {
    EXPECT_FALSE(each.at("pass").get<bool>()) << each.dump();
    EXPECT_THAT(each.at("why").get<std::string>(), HasSubstr("Kernel panic")) << each.dump();
  }
}

}  // namespace
}  // namespace benchrun::testing
