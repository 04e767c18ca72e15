// `benchrun run --backend vm` for real: one guest under libvirt's embedded driver runs one command, its output
// and exit status are benchrun's, what it wrote under /results comes back, and a guest booted with
// --guest-cgroup v2 has cgroup v2 with its controllers. Bad input is one line and exit 2 before anything
// boots; Ctrl-C and --timeout leave no domain, state dir, results file or QEMU behind.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/harness/benchrun_process.hpp"

namespace benchrun::testing {
namespace {

namespace bp = boost::process;
using ::testing::HasSubstr;

const std::string images_dir = std::string(BENCHRUN_SOURCE_DIR) + "/images";

class GuestRun : public LeakCheckedTest {};

TEST_F(GuestRun, PrintsTheCommandsOutputAndExitsWithItsStatus) {
  const CommandResult hello = run_benchrun({"run", "--backend", "vm", "--images-dir", images_dir, "--", "hello"});
  EXPECT_EQ(hello, (CommandResult{0, "hello from benchrun\n", ""}));
  const CommandResult failed = run_benchrun({"run", "--backend", "vm", "--images-dir", images_dir, "--", "false"});
  EXPECT_EQ(failed, (CommandResult{1, "", ""}));
}

// One boot proves three things: --guest-cgroup v2 mounts cgroup2 with the controllers enabled, the command's
// files under /results land in --results, and the exit status comes back.
TEST_F(GuestRun, AV2GuestSendsBackWhatTheCommandWroteUnderResults) {
  const TempDir out("benchrun-guest-results");
  const auto results = out.path() / "results";
  const CommandResult run =
      run_benchrun({"run", "--backend", "vm", "--images-dir", images_dir, "--image", "guest", "--guest-cgroup", "v2",
                    "--results", results.string(), "--", "cp", "/sys/fs/cgroup/cgroup.subtree_control", "/results/"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string controllers = read_text(results / "cgroup.subtree_control");
  EXPECT_THAT(controllers, HasSubstr("memory"));
  EXPECT_THAT(controllers, HasSubstr("pids"));
  EXPECT_THAT(controllers, HasSubstr("cpu"));
}

TEST_F(GuestRun, BadInputIsOneLineNamingTheFixBeforeAnythingBoots) {
  EXPECT_THAT(refusal_of({"run", "--backend", "vm", "--images-dir", images_dir, "--", "sh", "-c", "exit 3"}),
              HasSubstr("put the command in a script in the image"));
  EXPECT_THAT(refusal_of({"run", "--backend", "vm", "--images-dir", images_dir, "--results", "/tmp/x", "--", "hello"}),
              HasSubstr("--modules virtio_pci,virtio_console"));
  EXPECT_THAT(refusal_of({"run", "--backend", "vm", "--images-dir", images_dir, "--image", "absent", "--", "hello"}),
              HasSubstr("build it with scripts/build-image.sh"));
  EXPECT_THAT(refusal_of({"run", "--backend", "vm", "--images-dir", images_dir, "--guest-cgroup", "v4", "--", "hello"}),
              HasSubstr("use v2, v1 or hybrid"));
  EXPECT_THAT(refusal_of({"run", "--backend", "vm", "--images-dir", images_dir, "--", "no-such-command"}),
              HasSubstr("is not in image"));
}

TEST_F(GuestRun, ATimeoutDestroysTheGuestAndSaysSo) {
  const TempDir out("benchrun-guest-timeout");
  const CommandResult run =
      run_benchrun({"run", "--backend", "vm", "--images-dir", images_dir, "--image", "guest", "--results",
                    (out.path() / "r").string(), "--timeout", "1", "--", "sleep", "600"});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_THAT(run.err, HasSubstr("still running after --timeout 1 s (destroyed)"));
  EXPECT_FALSE(std::filesystem::exists(out.path() / "r")) << "an unfinished run leaves no results folder";
}

TEST_F(GuestRun, CtrlCDestroysTheGuestAndExits130) {
  const TempDir out("benchrun-guest-interrupt");
  bp::child child(benchrun_executable().string(),
                  bp::args({"run", "--backend", "vm", "--images-dir", images_dir, "--image", "guest", "--results",
                            (out.path() / "r").string(), "--", "sleep", "600"}),
                  bp::std_out > bp::null, bp::std_err > bp::null);
  for (int waited_ms = 0; benchrun_leftovers().find("qemu ") == std::string::npos; waited_ms += 50) {
    ASSERT_LT(waited_ms, 120'000) << "no guest appeared";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(child.id(), SIGINT);
  child.wait();
  EXPECT_EQ(child.exit_code(), 130);
  EXPECT_FALSE(std::filesystem::exists(out.path() / "r"));
}

}  // namespace
}  // namespace benchrun::testing
