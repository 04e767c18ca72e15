// `benchrun --suite isolation` end to end, as root, for real: every check passes on native (not isolated, as
// it promises), our container, crun and runc; and every protection removed through --isolation-off makes
// exactly its checks fail and the run exit 1 (a check that cannot fail is not a check). Nothing may be left
// behind, the host's SysV segment included.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "benchrun_process.hpp"
#include "tests/support/run_command.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;

constexpr std::size_t check_count = 17;

// The SysV shm segments on the host, as text: the suite makes one per step and must remove it.
std::string shm_segments() { return run_command({"ipcs", "-m"}).out; }

class IsolationSuite : public LeakCheckedTest {
 protected:
  void SetUp() override {
    LeakCheckedTest::SetUp();
    shm_before_ = shm_segments();
  }
  void TearDown() override {
    EXPECT_EQ(shm_segments(), shm_before_) << "a SysV segment was left behind";
    LeakCheckedTest::TearDown();
  }

  CommandResult run(const std::string& backends, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--suite", "isolation", "--backends", backends, "--out", out_.path().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_benchrun(args);
  }
  [[nodiscard]] json report() const {
    EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
    return json::parse(read_text(out_.path() / "report.json"));
  }
  // backend -> the checks that failed, from report.json.
  [[nodiscard]] std::map<std::string, std::set<std::string>> failed_checks() const {
    std::map<std::string, std::set<std::string>> failed;
    std::map<std::string, std::size_t> counted;
    const json measured = report();  // held: a range-for over report().at(...) would read a dead temporary
    for (const auto& verdict : measured.at("verdicts")) {
      const std::string backend = verdict.at("backend");
      ++counted[backend];
      failed[backend];  // every backend has an entry, failed or not
      if (!verdict.at("pass").get<bool>()) failed[backend].insert(verdict.at("check").get<std::string>());
    }
    for (const auto& [backend, count] : counted) EXPECT_EQ(count, check_count) << backend;
    return failed;
  }

  TempDir out_;
  std::string shm_before_;
};

TEST_F(IsolationSuite, EveryBackendKeepsWhatItPromisesAndTheMatrixSaysSo) {
  const auto result = run("native,container,oci:crun,oci:runc");
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const auto failed = failed_checks();
  ASSERT_EQ(failed.size(), 4u);
  for (const auto& [backend, checks] : failed) EXPECT_TRUE(checks.empty()) << backend << " failed a check";
  // The terminal matrix: one row per check, one column per backend.
  EXPECT_NE(result.out.find("checks, case probe"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("pid.host_pids_hidden   pass visible"), std::string::npos) << result.out;
  // native is seen not isolated, and that is its promise, not a failure; our container keeps the host out.
  const json measured = report();
  for (const auto& verdict : measured.at("verdicts")) {
    if (verdict.at("check") != "pid.host_pids_hidden") continue;
    const std::string expected = verdict.at("backend") == "native" ? "visible" : "hidden";
    EXPECT_EQ(verdict.at("measured"), expected) << verdict.dump();
    EXPECT_EQ(verdict.at("configured"), expected) << verdict.dump();
  }
  const std::string html = read_text(out_.path() / "report.html");
  EXPECT_NE(html.find("promised / seen"), std::string::npos);
  EXPECT_EQ(html.find("FAIL: "), std::string::npos) << "no promised / seen cell may say FAIL";
}

// Each protection removed from our container, alone: exactly the checks it holds fail. Capabilities and
// seccomp each guard mount, module load and reboot on their own, so those fail only with both removed; raw
// sockets are guarded by the missing CAP_NET_RAW alone.
TEST_F(IsolationSuite, EachProtectionRemovedFailsExactlyItsChecks) {
  const std::vector<std::pair<std::string, std::set<std::string>>> flips = {
      {"pid-ns", {"pid.init_is_benchinit", "pid.host_pids_hidden"}},
      {"uts-ns", {"uts.own_hostname"}},
      {"ipc-ns", {"ipc.own_objects"}},
      {"net-ns", {"net.own_interfaces"}},
      {"cgroup-ns", {"cgroup.own_namespace"}},
      {"capabilities", {"caps.bounded", "raw_socket.refused"}},
      {"seccomp", {"seccomp.denied_calls"}},
      {"capabilities,seccomp",
       {"caps.bounded", "raw_socket.refused", "seccomp.denied_calls", "mount.refused", "module_load.refused",
        "reboot.refused"}},
      {"masked-paths", {"proc.masked_paths", "proc.readonly_paths"}},
      {"readonly-sys", {"sys.read_only"}},
  };
  char hostname[256] = {};
  ASSERT_EQ(gethostname(hostname, sizeof hostname - 1), 0);
  // A kernel without module support answers finit_module ENOSYS whatever the privileges: nothing to flip.
  const bool modules = std::filesystem::exists("/proc/modules");
  for (auto [off, expected] : flips) {
    if (!modules) expected.erase("module_load.refused");
    const auto result = run("container", {"--isolation-off", off});
    EXPECT_EQ(result.exit_code, 1) << off << ": " << result.err;
    EXPECT_EQ(failed_checks().at("container"), expected) << "--isolation-off " << off << "\n" << result.err;
    EXPECT_NE(result.err.find("protections removed"), std::string::npos) << result.err;
  }
  char hostname_after[256] = {};
  ASSERT_EQ(gethostname(hostname_after, sizeof hostname_after - 1), 0);
  EXPECT_STREQ(hostname_after, hostname) << "an instance without a UTS namespace must not set a hostname";
}

TEST_F(IsolationSuite, AUserNamespaceIsCheckedWhereEnabledAndFailsWithoutIt) {
  auto result = run("container,oci:crun", {"--user-namespace"});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  ASSERT_EQ(failed_checks().size(), 2u);
  for (const auto& [backend, checks] : failed_checks()) EXPECT_TRUE(checks.empty()) << backend;
  const json measured = report();
  for (const auto& verdict : measured.at("verdicts")) {
    if (verdict.at("check") == "user.own_namespace") {
      EXPECT_EQ(verdict.at("measured"), "own") << verdict.dump();
    }
  }
  result = run("container,oci:crun", {"--user-namespace", "--isolation-off", "user-ns"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  ASSERT_EQ(failed_checks().size(), 2u);
  for (const auto& [backend, checks] : failed_checks()) {
    EXPECT_EQ(checks, std::set<std::string>{"user.own_namespace"}) << backend;
  }
}

// The peers take the same switches through the config.json we write: everything removable removed at once.
TEST_F(IsolationSuite, CrunAndRuncFailEveryRemovedProtection) {
  const auto result = run("oci:crun,oci:runc", {"--isolation-off",
                                                "pid-ns,uts-ns,ipc-ns,net-ns,cgroup-ns,capabilities,seccomp,"
                                                "masked-paths,readonly-sys"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  // What stays: the root mount (no switch: pivot_root needs a mount namespace), the host's user namespace
  // (promised: not enabled). Raw sockets are refused by the missing CAP_NET_RAW alone, so they fail too.
  std::set<std::string> expected;
  const json measured = report();
  for (const auto& verdict : measured.at("verdicts")) expected.insert(verdict.at("check").get<std::string>());
  for (const char* kept : {"mnt.own_root", "user.own_namespace"}) expected.erase(kept);
  ASSERT_EQ(expected.size(), 15u);
  if (!std::filesystem::exists("/proc/modules")) expected.erase("module_load.refused");  // ENOSYS: nothing to flip
  ASSERT_EQ(failed_checks().size(), 2u);
  for (const auto& [backend, checks] : failed_checks()) EXPECT_EQ(checks, expected) << backend;
}

TEST_F(IsolationSuite, AnUnknownProtectionIsAUsageErrorNamingTheKnownOnes) {
  const std::string line =
      refusal_of({"--suite", "isolation", "--backends", "container", "--isolation-off", "firewall"});
  EXPECT_NE(line.find("firewall"), std::string::npos) << line;
  EXPECT_NE(line.find("seccomp"), std::string::npos) << line;
}

}  // namespace
}  // namespace benchrun::testing
