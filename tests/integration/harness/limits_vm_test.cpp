// `benchrun --suite limits --backends vm` end to end, as root, with real QEMU and libvirt (TCG here): a guest's
// limits are libvirt tunables, judged from the host's side (libvirt's read-back, the vCPU cgroup, QEMU's threads
// in /proc) and from the workload's inside the guest; each flips to fail under --limits-off; pids is a warning of
// the run saying why a guest has no such limit; the cgroups libvirt made are gone afterwards. Two runs, three
// guests each.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;

const std::vector<std::string> judged = {"cpu.quota", "cpuset.cpus", "memory.oom_kill", "memory.peak_within_limit"};

// The embedded driver's cgroups of a guest (/machine/qemu-embed-...), in any hierarchy.
std::string libvirt_cgroups_left() {
  std::string found;
  std::error_code ignored;
  for (const auto& hierarchy : std::filesystem::directory_iterator("/sys/fs/cgroup", ignored)) {
    for (const auto& entry : std::filesystem::directory_iterator(hierarchy.path() / "machine", ignored)) {
      if (entry.is_directory() && entry.path().filename().string().starts_with("qemu-embed-"))
        found += entry.path().string() + "\n";
    }
  }
  return found;
}

class LimitsVmSuite : public LeakCheckedTest {
 protected:
  [[nodiscard]] std::map<std::string, json> run_limits(const std::vector<std::string>& extra, int expected_exit) {
    // The checks a guest is judged on, and pids, which says why it is not.
    std::vector<std::string> args{"--suite", "limits",  "--backends",
                                  "vm",      "--cases", "memory,cpu-quota,cpuset,pids",
                                  "-q",      "--out",   out_.path().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const bool machine_was_there = std::filesystem::exists("/sys/fs/cgroup/cpu/machine");
    const auto result = run_benchrun(args);
    EXPECT_EQ(result.exit_code, expected_exit) << result.err << result.out;
    EXPECT_EQ(libvirt_cgroups_left(), "");
    if (!machine_was_there) {
      EXPECT_FALSE(std::filesystem::exists("/sys/fs/cgroup/cpu/machine"));
    }
    EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
    const json report = json::parse(read_text(out_.path() / "report.json"));
    std::map<std::string, json> verdicts;
    for (const auto& verdict : report.at("verdicts")) {
      if (verdict.at("backend") == "vm") verdicts[verdict.at("check")] = verdict;
    }
    return verdicts;
  }

  TempDir out_;
};

TEST_F(LimitsVmSuite, QuotaPinningAndRamHoldOnAGuestFromBothSidesAndPidsSaysWhyNot) {
  // pids is not judged on a guest: a warning of the run, which passes.
  const auto verdicts = run_limits({}, 0);
  for (const auto& name : judged) {
    ASSERT_TRUE(verdicts.contains(name)) << name;
    EXPECT_TRUE(verdicts.at(name).at("pass").get<bool>()) << verdicts.at(name).dump();
    EXPECT_FALSE(verdicts.at(name).at("measured").is_null()) << verdicts.at(name).dump();
  }
  const std::string cpu_why = verdicts.at("cpu.quota").at("why");
  EXPECT_NE(cpu_why.find("vCPU quota 25000 us per 100000 us"), std::string::npos) << cpu_why;
  EXPECT_LE(verdicts.at("cpu.quota").at("measured").get<double>(), 0.25 * 1.1);
  EXPECT_FALSE(verdicts.contains("pids.max"));
  const json report = json::parse(read_text(out_.path() / "report.json"));
  const auto& warnings = report.at("warnings");
  EXPECT_TRUE(std::any_of(warnings.begin(), warnings.end(), [](const json& warning) {
    return warning.get<std::string>().find("vm: pids: not applicable to a guest") != std::string::npos;
  })) << warnings.dump();
}

TEST_F(LimitsVmSuite, EachJudgedCheckFlipsToFailWithoutItsLimit) {
  const auto verdicts =
      run_limits({"--limits-off", "cpu-quota", "--limits-off", "cpuset", "--limits-off", "memory"}, 1);
  for (const auto& name : judged) {
    ASSERT_TRUE(verdicts.contains(name)) << name;
    const json& verdict = verdicts.at(name);
    EXPECT_FALSE(verdict.at("pass").get<bool>()) << verdict.dump();
    EXPECT_NE(verdict.at("why").get<std::string>().find("--limits-off"), std::string::npos) << verdict.dump();
  }
  // Both sides fail, each saying what it saw.
  const std::string cpu_why = verdicts.at("cpu.quota").at("why");
  EXPECT_NE(cpu_why.find("libvirt reads back no vCPU quota"), std::string::npos) << cpu_why;

  const std::string cpuset_why = verdicts.at("cpuset.cpus").at("why");
  EXPECT_NE(cpuset_why.find("libvirt pins the vCPUs to"), std::string::npos) << cpuset_why;
  EXPECT_NE(cpuset_why.find("QEMU's threads may run on CPUs"), std::string::npos) << cpuset_why;
}

}  // namespace
}  // namespace benchrun::testing
