// A benchrun killed with SIGKILL cleans nothing up itself: the next run, or `benchrun cleanup`, must.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

class Leftovers : public LeakCheckedTest {};

TEST_F(Leftovers, TheNextRunSweepsWhatAKilledRunLeft) {
  start_and_kill({"run", "--", "spin", "60000"});
  const auto next = run_benchrun({"run", "--", "hello"});
  EXPECT_EQ(next.exit_code, 0) << next.err;
}

TEST_F(Leftovers, CleanupRemovesWhatAKilledSuiteLeft) {
  TempDir out;
  start_and_kill({"--suite", "startup", "--backends", "container", "--workload", "spin 60000", "--runs", "1",
                  "--warmup", "0", "--out", out.path().string()});
  const auto cleanup = run_benchrun({"cleanup"});
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.err;
  // One cgroup per v1 hierarchy or one on v2; one state folder either way.
  EXPECT_THAT(cleanup.out, ::testing::ContainsRegex("containers: removed [1-9][0-9]* cgroups, 1 state folders"));
}

}  // namespace
}  // namespace benchrun::testing
