// `benchrun --suite limits --backends vm --cases cpu-weight` end to end, as root, with real QEMU and libvirt (TCG
// here): two guests pinned to the host's last CPU at libvirt shares 100 and 300 share it 3:1, judged from the
// host's side (libvirt's read-back, the domain cgroups, the vCPU threads' CPU time where both burn) and from the
// burners' own counts; --limits-off (libvirt's default shares) fails it; an interrupted run and a finished one
// leave neither guest nor the cgroups libvirt made behind.
#include <signal.h>

#include <boost/process.hpp>
#include <chrono>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"
#include "libvirt_cgroups.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace bp = boost::process;

// The guests' QEMUs of benchrun `parent` (its subreaper children once libvirt daemonized them).
std::size_t qemus_of(pid_t parent) {
  std::size_t count = 0;
  std::error_code ignored;
  for (const auto& process : std::filesystem::directory_iterator("/proc", ignored)) {
    const std::string command_line = read_text(process.path() / "cmdline");
    if (!command_line.starts_with("/usr/bin/qemu-system")) continue;
    const std::string status = read_text(process.path() / "status");
    const std::size_t at = status.find("PPid:");
    if (at != std::string::npos && std::stol(status.substr(at + 5)) == parent) ++count;
  }
  return count;
}

class LimitsVmWeight : public LeakCheckedTest {
 protected:
  [[nodiscard]] std::vector<std::string> args(const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> all{"--suite", "limits", "--backends",        "vm", "--cases", "cpu-weight",
                                 "-q",      "--out",  out_.path().string()};
    all.insert(all.end(), extra.begin(), extra.end());
    return all;
  }

  [[nodiscard]] json run_weight(const std::vector<std::string>& extra, int expected_exit) {
    const bool machine_was_there = std::filesystem::exists("/sys/fs/cgroup/cpu/machine");
    const std::set<std::string> before = libvirt_guest_cgroups();
    const auto result = run_benchrun(args(extra));
    EXPECT_EQ(result.exit_code, expected_exit) << result.err << result.out;
    EXPECT_EQ(libvirt_guest_cgroups_since(before), "");
    if (!machine_was_there) {
      EXPECT_FALSE(std::filesystem::exists("/sys/fs/cgroup/cpu/machine"));
    }
    EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
    const json report = json::parse(read_text(out_.path() / "report.json"));
    json found;
    for (const auto& verdict : report.at("verdicts")) {
      if (verdict.at("backend") == "vm" && verdict.at("check") == "cpu.weight") found = verdict;
    }
    // Both guests ran to their end: two samples with the burners' metrics.
    std::size_t samples = 0;
    for (const auto& sample : report.at("samples")) {
      if (sample.at("backend") == "vm" && sample.at("case_name") == "cpu-weight") ++samples;
    }
    EXPECT_EQ(samples, 2U);
    return found;
  }

  TempDir out_;
};

TEST_F(LimitsVmWeight, TwoGuestsOnOneCpuShareItInProportionToTheirShares) {
  const json verdict = run_weight({}, 0);
  ASSERT_FALSE(verdict.is_null());
  EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
  ASSERT_FALSE(verdict.at("measured").is_null()) << verdict.dump();
  EXPECT_NEAR(verdict.at("measured").get<double>(), 0.75, 0.075) << verdict.dump();
  const std::string why = verdict.at("why");
  EXPECT_THAT(why, HasSubstr("libvirt shares 100 and 300 on sibling domain cgroups"));
  EXPECT_THAT(why, HasSubstr("by their own counts"));
}

TEST_F(LimitsVmWeight, DefaultSharesFailItFromBothSides) {
  const json verdict = run_weight({"--limits-off", "cpu-weight"}, 1);
  ASSERT_FALSE(verdict.is_null());
  EXPECT_FALSE(verdict.at("pass").get<bool>()) << verdict.dump();
  const std::string why = verdict.at("why");
  EXPECT_THAT(why, HasSubstr("libvirt reads back the lighter guest's cpu_shares as"));
  EXPECT_THAT(why, HasSubstr("the heavier's share"));
  EXPECT_THAT(why, HasSubstr("by their own counts"));
  EXPECT_THAT(why, HasSubstr("--limits-off"));
  ASSERT_FALSE(verdict.at("measured").is_null()) << verdict.dump();
  EXPECT_LT(verdict.at("measured").get<double>(), 0.675) << verdict.dump();
}

// Ctrl-C while both guests boot: benchrun destroys both before it exits, and their cgroups go with them.
TEST_F(LimitsVmWeight, AnInterruptedRunDestroysBothGuests) {
  const std::set<std::string> before = libvirt_guest_cgroups();
  bp::child child(benchrun_executable().string(), bp::args(args()), bp::std_out > bp::null, bp::std_err > bp::null);
  for (int waited_ms = 0; qemus_of(child.id()) < 2; waited_ms += 20) {
    ASSERT_LT(waited_ms, 60'000) << "the two guests did not start";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(child.id(), SIGINT);
  child.wait();
  EXPECT_NE(child.exit_code(), 0);
  EXPECT_EQ(qemus_of(child.id()), 0U);
  EXPECT_EQ(libvirt_guest_cgroups_since(before), "");
}

}  // namespace
}  // namespace benchrun::testing
