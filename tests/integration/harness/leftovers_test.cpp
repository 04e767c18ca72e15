// A benchrun killed with SIGKILL cleans nothing up itself: the next run, or `benchrun cleanup`, must.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/process.hpp>
#include <thread>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

namespace bp = boost::process;

class Leftovers : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(benchrun_leftovers(), "") << "a previous test leaked"; }
  void TearDown() override { EXPECT_EQ(benchrun_leftovers(), "") << "this test leaked"; }

  // Starts benchrun with `args`, waits until it has a container running, then SIGKILLs benchrun alone.
  static void start_and_kill(const std::vector<std::string>& args) {
    bp::child child(benchrun_executable().string(), bp::args(args), bp::std_out > bp::null, bp::std_err > bp::null);
    for (int waited_ms = 0; benchrun_leftovers().find("cgroup ") == std::string::npos; waited_ms += 20) {
      ASSERT_LT(waited_ms, 10'000) << "no container appeared";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(child.id(), SIGKILL);
    child.wait();
    ASSERT_NE(benchrun_leftovers(), "") << "a SIGKILLed benchrun should have left its container behind";
  }
};

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
