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

  // Starts benchrun with `args`, waits until it runs an instance (a leftover line starting with `kind`),
  // then SIGKILLs benchrun alone.
  static void start_and_kill(const std::vector<std::string>& args, const std::string& kind = "cgroup ") {
    bp::child child(benchrun_executable().string(), bp::args(args), bp::std_out > bp::null, bp::std_err > bp::null);
    for (int waited_ms = 0; benchrun_leftovers().find(kind) == std::string::npos; waited_ms += 20) {
      ASSERT_LT(waited_ms, 30'000) << "no instance appeared";
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

TEST_F(Leftovers, CleanupRemovesTheGuestOfAKilledSuite) {
  TempDir out;
  // The embedded QEMU driver cannot autodestroy guests: their QEMU outlives a killed benchrun.
  start_and_kill({"--suite", "startup", "--backends", "vm", "--workload", "spin 60000", "--runs", "1", "--warmup",
                  "0", "--out", out.path().string()},
                 "qemu ");
  // QEMU may also end by itself once its console reader is gone; either way none may remain (TearDown).
  const auto cleanup = run_benchrun({"cleanup"});
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.err;
  EXPECT_THAT(cleanup.out, ::testing::ContainsRegex("guests: removed [01] leftovers"));
}

}  // namespace
}  // namespace benchrun::testing
