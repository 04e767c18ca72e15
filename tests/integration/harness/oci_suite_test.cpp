// The peers (oci:crun, oci:runc) through benchrun, as root, for real: side by side with ours in one suite,
// their versions and the hybrid workaround in the report, their failures judged like ours, and what a
// killed run of theirs leaves swept by `benchrun cleanup`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;

class OciSuite : public LeakCheckedTest {
 protected:
  // benchrun --suite startup ARGS --out <a fresh folder>
  CommandResult run_startup(std::vector<std::string> args) {
    args.insert(args.begin(), {"--suite", "startup"});
    args.insert(args.end(), {"--out", out_.path().string()});
    return run_benchrun(args);
  }

  json report() { return json::parse(read_text(out_.path() / "report.json")); }

  TempDir out_;
};

bool hybrid_host() {
  return std::filesystem::exists("/sys/fs/cgroup/unified/cgroup.controllers") &&
         !std::filesystem::exists("/sys/fs/cgroup/cgroup.controllers");
}

TEST_F(OciSuite, CrunAndRuncRunNextToOursAndTheReportNamesTheirVersions) {
  const auto result = run_startup({"--backends", "native,container,oci:crun,oci:runc", "--runs", "2", "--warmup", "0"});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_NE(result.out.find("phases oci:crun"), std::string::npos) << result.out;
  const json written = report();
  EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");

  std::map<std::string, int> measured;
  for (const auto& sample : written.at("samples")) {
    EXPECT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
    ++measured[sample.at("backend").get<std::string>()];
    if (sample.at("backend").get<std::string>().starts_with("oci:")) {
      EXPECT_TRUE(sample.at("metrics").contains("instance_memory_mib")) << "read from the peer's cgroup";
      EXPECT_TRUE(sample.at("phases").contains("runtime_spawned")) << sample.dump();
    }
  }
  // Two runs in each of the two start modes.
  EXPECT_EQ(measured, (std::map<std::string, int>{{"native", 4}, {"container", 4}, {"oci:crun", 4}, {"oci:runc", 4}}));

  const json& tools = written.at("environment").at("tools");
  EXPECT_THAT(tools.at("crun").get<std::string>(), ::testing::StartsWith("crun version"));
  EXPECT_THAT(tools.at("runc").get<std::string>(), ::testing::StartsWith("runc version"));
  std::map<std::string, json> details;
  for (const auto& backend : written.at("backends")) details[backend.at("name")] = backend.at("details");
  EXPECT_THAT(details.at("oci:crun").at("version").get<std::string>(), ::testing::StartsWith("crun version"));
  EXPECT_THAT(details.at("oci:runc").at("version").get<std::string>(), ::testing::StartsWith("runc version"));
  EXPECT_EQ(details.at("oci:crun").contains("cgroup_workaround"), hybrid_host()) << details.at("oci:crun").dump();
  EXPECT_FALSE(details.at("oci:runc").contains("cgroup_workaround")) << "runc takes a hybrid host as it is";
}

TEST_F(OciSuite, AWorkloadFailingInCrunIsAFailedSampleWithItsReason) {
  const auto result = run_startup(
      {"--backends", "oci:crun", "--workload", "spin not-a-number", "--start", "warm", "--runs", "1", "--warmup", "0"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  const json written = report();
  ASSERT_EQ(written.at("samples").size(), 1u);
  const json& sample = written.at("samples").at(0);
  EXPECT_FALSE(sample.at("ok").get<bool>());
  EXPECT_EQ(sample.at("failure").at("kind"), "crash") << sample.dump();
  EXPECT_THAT(sample.at("failure").at("message").get<std::string>(), ::testing::HasSubstr("usage: spin"));
}

class OciLeftovers : public LeakCheckedTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(OciLeftovers, CleanupRemovesWhatAKilledSuiteLeft) {
  TempDir out;
  start_and_kill({"--suite", "startup", "--backends", GetParam(), "--workload", "spin 60000", "--runs", "1", "--warmup",
                  "0", "--out", out.path().string()},
                 "peer container ");
  const auto cleanup = run_benchrun({"cleanup"});
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.err;
  EXPECT_THAT(cleanup.out, ::testing::ContainsRegex("1 state folders, 0 mounts, 1 crun/runc containers"));
}

INSTANTIATE_TEST_SUITE_P(Runtimes, OciLeftovers, ::testing::Values("oci:crun", "oci:runc"),
                         [](const auto& info) { return std::string(info.param).substr(4); });

}  // namespace
}  // namespace benchrun::testing
