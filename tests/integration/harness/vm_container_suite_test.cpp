// The vm+container backend through `benchrun --suite startup`, as root, with real QEMU and libvirt: a container
// of benchrun's own runtime inside a guest of image "guest". Few boots (TCG: seconds each): the happy path with
// the guest-clock container phases, the container's memory limit enforced inside the guest, an inner benchrun
// that fails, and guests whose kernel panics (vm and vm+container): failed samples carrying the console's tail,
// never a hang, nothing left on the host (LeakCheckedTest).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;

class VmContainerSuite : public LeakCheckedTest {
 protected:
  // One cold sample per backend, no warm-up: each guest boot costs seconds under TCG.
  CommandResult run_startup(const std::string& backends, std::vector<std::string> more = {}) {
    std::vector<std::string> args{"--suite",  "startup", "--backends", backends, "--runs", "1",
                                  "--warmup", "0",       "--start",    "cold",   "--out",  out_.path().string()};
    args.insert(args.end(), more.begin(), more.end());
    return run_benchrun(args);
  }
  json report() const { return json::parse(read_text(out_.path() / "report.json")); }
  std::vector<json> samples_of(const std::string& backend) const {
    std::vector<json> found;
    const json whole = report();  // kept: a range-for over a member of a temporary would dangle
    for (const auto& sample : whole.at("samples")) {
      if (sample.at("backend") == backend) found.push_back(sample);
    }
    return found;
  }

  TempDir out_;
};

TEST_F(VmContainerSuite, StartupReportsItBesideNativeWithTheContainersPhasesOnTheGuestClock) {
  const auto result = run_startup("native,vm+container");
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
  const auto samples = samples_of("vm+container");
  ASSERT_EQ(samples.size(), 1U) << report().dump();
  const json& sample = samples.front();
  ASSERT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
  const json& metrics = sample.at("metrics");
  // Host clock: launch of the guest to the inner container's READY and RESULT, as for vm.
  EXPECT_GT(metrics.at("time_to_ready_ms").get<double>(), 0.0);
  EXPECT_GE(metrics.at("time_to_result_ms").get<double>(), metrics.at("time_to_ready_ms").get<double>());
  EXPECT_TRUE(sample.at("phases").contains("create_returned")) << sample.dump();
  EXPECT_TRUE(sample.at("phases").contains("ready")) << sample.dump();
  EXPECT_GT(metrics.at("cpu_time_ms").get<double>(), 0.0) << "QEMU's CPU time belongs in the sample";
  EXPECT_GT(metrics.at("instance_memory_mib").get<double>(), 0.0) << "QEMU's memory belongs in the sample";
  // Guest clock: the inner container's own phases, in order, never among the host-clock phases.
  const double prepared = metrics.at("guest_container_prepared_ms").get<double>();
  const double cloned = metrics.at("guest_container_cloned_ms").get<double>();
  const double cgroup_ready = metrics.at("guest_container_cgroup_ready_ms").get<double>();
  const double mounts_done = metrics.at("guest_container_mounts_done_ms").get<double>();
  const double exec = metrics.at("guest_container_exec_ms").get<double>();
  EXPECT_LE(prepared, cloned);
  EXPECT_LE(cloned, cgroup_ready);
  EXPECT_LE(cgroup_ready, mounts_done);
  EXPECT_LE(mounts_done, exec);
  EXPECT_FALSE(sample.at("phases").contains("cloned")) << sample.dump();
  EXPECT_EQ(sample.at("workload_result").at("exit_code"), 0);

  bool listed = false;
  const json whole = report();
  for (const auto& backend : whole.at("backends")) {
    if (backend.at("name") != "vm+container") continue;
    listed = true;
    EXPECT_EQ(backend.at("kind"), "vm");
    EXPECT_EQ(backend.at("details").at("image"), "guest");
    EXPECT_EQ(backend.at("details").at("kernel_parameters"), "benchrun.cgroup=v2");
  }
  EXPECT_TRUE(listed);
  // The table shows the guest-clock rows next to the host-clock ones.
  EXPECT_NE(result.out.find("guest_container_exec_ms"), std::string::npos) << result.out;
  EXPECT_NE(read_text(out_.path() / "report.html").find("guest_container_exec_ms"), std::string::npos);
}

TEST_F(VmContainerSuite, TheMemoryLimitIsTheInnerContainersAndOomKillsTheHogInsideTheGuest) {
  // The guest is sized above the limit: only the container's cgroup can stop a 96 MiB hog at 32 MiB.
  const auto result = run_startup("vm+container", {"--workload", "hog 96", "--memory", "32M"});
  ASSERT_EQ(result.exit_code, 1) << "a failed sample: " << result.err << result.out;
  const auto samples = samples_of("vm+container");
  ASSERT_EQ(samples.size(), 1U);
  const json& sample = samples.front();
  EXPECT_FALSE(sample.at("ok").get<bool>()) << sample.dump();
  EXPECT_EQ(sample.at("workload_result").at("signal"), 9) << sample.dump();
  EXPECT_THAT(sample.at("failure").at("message").get<std::string>(), ::testing::HasSubstr("killed by SIGKILL"));
}

TEST_F(VmContainerSuite, AnInnerBenchrunThatFailsIsAFailedSampleCarryingTheConsolesLastLines) {
  // Without the overlay module the inner container cannot mount its rootfs: the inner benchrun says so and
  // exits, the guest powers off without a READY.
  const auto result =
      run_startup("vm+container", {"--guest-kernel-args", "module_blacklist=overlay", "--timeout", "60"});
  ASSERT_EQ(result.exit_code, 1) << "a failed sample: " << result.err << result.out;
  const auto samples = samples_of("vm+container");
  ASSERT_EQ(samples.size(), 1U);
  const json& sample = samples.front();
  EXPECT_FALSE(sample.at("ok").get<bool>()) << sample.dump();
  EXPECT_EQ(sample.at("failure").at("kind"), "crash") << sample.dump();
  const std::string message = sample.at("failure").at("message");
  EXPECT_THAT(message, ::testing::HasSubstr("before BENCHRUN READY: console: "));
  EXPECT_THAT(message, ::testing::HasSubstr("benchrun: ")) << "the inner benchrun's own error line";
}

TEST_F(VmContainerSuite, AGuestWhoseKernelPanicsIsAFailedSampleWithThePanicForVmAndVmContainer) {
  // No such init: the kernel panics early; panic=1 reboots it, which ends the domain (on_reboot destroy).
  const auto result =
      run_startup("vm,vm+container", {"--guest-kernel-args", "rdinit=/nonexistent panic=1", "--timeout", "60"});
  ASSERT_EQ(result.exit_code, 1) << "failed samples: " << result.err << result.out;
  for (const std::string backend : {"vm", "vm+container"}) {
    const auto samples = samples_of(backend);
    ASSERT_EQ(samples.size(), 1U) << backend;
    const json& sample = samples.front();
    EXPECT_FALSE(sample.at("ok").get<bool>()) << sample.dump();
    EXPECT_EQ(sample.at("failure").at("kind"), "crash") << sample.dump();
    EXPECT_THAT(sample.at("failure").at("message").get<std::string>(), ::testing::HasSubstr("Kernel panic"))
        << sample.dump();
  }
}

TEST_F(VmContainerSuite, AGuestHungInAPanicFailsAtTheTimeoutWithThePanic) {
  // Without panic=1 a panicked kernel spins forever: the per-instance timeout ends it.
  const auto result = run_startup("vm+container", {"--guest-kernel-args", "rdinit=/nonexistent", "--timeout", "15"});
  ASSERT_EQ(result.exit_code, 1) << "a failed sample: " << result.err << result.out;
  const auto samples = samples_of("vm+container");
  ASSERT_EQ(samples.size(), 1U);
  const json& sample = samples.front();
  EXPECT_FALSE(sample.at("ok").get<bool>()) << sample.dump();
  EXPECT_EQ(sample.at("failure").at("kind"), "timeout") << sample.dump();
  EXPECT_THAT(sample.at("failure").at("message").get<std::string>(), ::testing::HasSubstr("Kernel panic"))
      << sample.dump();
}

TEST_F(VmContainerSuite, TheDensitySuiteHoldsGuestsEachWithItsIdleContainer) {
  const auto result =
      run_benchrun({"--suite", "density", "--backends", "vm+container", "--count", "2", "--out", out_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  bool reached = false;
  const json whole = report();
  for (const auto& verdict : whole.at("verdicts")) {
    if (verdict.at("backend") != "vm+container") continue;
    reached = verdict.at("pass").get<bool>();
  }
  EXPECT_TRUE(reached) << whole.at("verdicts").dump();
  int idle = 0;
  for (const auto& sample : samples_of("vm+container")) {
    if (sample.at("metrics").contains("idle_instance_memory_mib")) {
      ++idle;
      EXPECT_GT(sample.at("metrics").at("idle_instance_memory_mib").get<double>(), 0.0) << "QEMU's PSS";
    }
  }
  EXPECT_EQ(idle, 2) << whole.at("samples").dump();
}

TEST_F(VmContainerSuite, AnUnknownGuestCgroupLayoutIsRefusedInOneLine) {
  const std::string line = refusal_of({"--suite", "startup", "--backends", "vm+container", "--guest-cgroup", "v3"});
  EXPECT_THAT(line, ::testing::HasSubstr("v2, v1, hybrid"));
}

}  // namespace
}  // namespace benchrun::testing
