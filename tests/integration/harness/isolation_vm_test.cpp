// `benchrun --suite isolation` on a guest, for real (TCG here: about 30 s): a guest kernel is its own world,
// so every namespace is its own, and inside it root may mount, load modules and open raw sockets, as the
// promise says. Its namespace checks are judged by the boot id (another kernel), since a guest's initial
// namespaces carry the host's inode numbers.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;

class IsolationVmSuite : public LeakCheckedTest {
 protected:
  TempDir out_;
};

TEST_F(IsolationVmSuite, AGuestKeepsWhatItPromises) {
  const auto result = run_benchrun(
      {"--suite", "isolation", "--backends", "vm", "--timeout", "300", "-q", "--out", out_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
  const json report = json::parse(read_text(out_.path() / "report.json"));
  ASSERT_EQ(report.at("verdicts").size(), 17u);
  for (const auto& verdict : report.at("verdicts")) {
    EXPECT_TRUE(verdict.at("pass").get<bool>()) << verdict.dump();
    const std::string check = verdict.at("check");
    if (check == "user.own_namespace" || check == "pid.host_pids_hidden") {
      EXPECT_NE(verdict.at("measured"), "the host's") << verdict.dump();
      EXPECT_NE(verdict.at("measured"), "visible") << verdict.dump();
    }
    if (check == "module_load.refused") {
      EXPECT_EQ(verdict.at("measured"), "allowed") << verdict.dump();
    }
  }
}

}  // namespace
}  // namespace benchrun::testing
