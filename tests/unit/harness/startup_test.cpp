// The startup suite's measurement of one instance, against a scripted Instance whose console lines,
// exit and stats arrive with given stamps: which metrics and phases a sample gets, and how each way an
// instance can go wrong is judged (kind and reason), with the instance torn down every time.
#include "harness/suites/startup.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csignal>
#include <deque>
#include <variant>

namespace benchrun::harness {
namespace {

constexpr sys::MonotonicNs ms = 1'000'000;

// What the fake instance does, step by step; the test keeps it and reads what happened back.
struct Script {
  // Console lines in order, then EOF; an error in the queue is thrown by that call of next_line.
  std::deque<std::variant<sys::ConsoleLine, sys::Timeout, sys::Interrupted>> console;
  InstanceExit exit;
  InstanceStats stats;
  std::vector<std::pair<std::string, sys::MonotonicNs>> phases;
  std::string diagnostics;
  std::optional<sys::Error> launch_error;  // launch() throws it
  int destroyed = 0;                       // destroy() calls
};

class ScriptedInstance final : public Instance {
 public:
  explicit ScriptedInstance(Script& script) : script_(script) {}
  std::optional<sys::ConsoleLine> next_line(sys::MonotonicNs /*deadline*/) override {
    if (script_.console.empty()) return std::nullopt;
    auto next = std::move(script_.console.front());
    script_.console.pop_front();
    if (auto* timeout = std::get_if<sys::Timeout>(&next)) throw *timeout;
    if (auto* interrupted = std::get_if<sys::Interrupted>(&next)) throw *interrupted;
    return std::get<sys::ConsoleLine>(std::move(next));
  }
  InstanceExit wait_exit(sys::MonotonicNs /*deadline*/) override { return script_.exit; }
  [[nodiscard]] std::vector<std::pair<std::string, sys::MonotonicNs>> phases() const override { return script_.phases; }
  InstanceStats stats() override { return script_.stats; }
  std::string diagnostics() override { return script_.diagnostics; }
  void destroy() override { ++script_.destroyed; }

 private:
  Script& script_;
};

class ScriptedBackend final : public Backend {
 public:
  ScriptedBackend(reports::BackendKind kind, Script& script) : kind_(kind), script_(script) {}
  [[nodiscard]] std::string name() const override { return std::string(reports::to_string(kind_)); }
  [[nodiscard]] reports::BackendKind kind() const override { return kind_; }
  std::unique_ptr<Instance> launch(const InstanceSpec& spec, sys::MonotonicNs /*deadline*/) override {
    launched_ = spec.name;
    if (script_.launch_error) throw *script_.launch_error;
    return std::make_unique<ScriptedInstance>(script_);
  }
  std::string launched_;

 private:
  reports::BackendKind kind_;
  Script& script_;
};

std::string result_line(int exit_code, std::int64_t max_rss_kb = 2048) {
  return fmt::format(
      "BENCHRUN RESULT {{\"exit_code\":{},\"signal\":null,\"wall_ns\":1000,\"user_us\":1,\"sys_us\":2,"
      "\"max_rss_kb\":{}}}",
      exit_code, max_rss_kb);
}

class MeasureStartup : public ::testing::Test {
 protected:
  // Every stamp is later than the launch: `at_` is well ahead of now.
  const sys::MonotonicNs at_ = sys::monotonic_now() + 1000 * ms;

  reports::Sample measure(reports::BackendKind kind = reports::BackendKind::container) {
    ScriptedBackend backend(kind, script_);
    InstanceSpec spec;
    spec.name = "benchrun-test-0";
    spec.workload = "hello";
    reports::Sample sample = measure_startup(backend, spec, std::chrono::seconds(1));
    EXPECT_EQ(backend.launched_, "benchrun-test-0");
    return sample;
  }

  // A healthy instance: READY at +2 ms, RESULT at +5 ms, exit at +6 ms.
  void script_success() {
    script_.console = {sys::ConsoleLine{"booting", at_ + 1 * ms}, sys::ConsoleLine{"BENCHRUN READY", at_ + 2 * ms},
                       sys::ConsoleLine{"hello", at_ + 3 * ms}, sys::ConsoleLine{result_line(0), at_ + 5 * ms}};
    script_.exit = InstanceExit{0, std::nullopt, false, at_ + 6 * ms};
  }

  // ms from the sample's launch to `stamp`.
  static double since_launch(const reports::Sample& sample, sys::MonotonicNs stamp) {
    return static_cast<double>(stamp - sample.started_at_monotonic_ns) / 1e6;
  }

  Script script_;
};

TEST_F(MeasureStartup, ReadyResultAndExitStampsBecomeTheTimesSinceLaunch) {
  script_success();
  script_.stats = InstanceStats{64u << 20, 5 * ms, std::nullopt};
  script_.phases = {{"cloned", at_ + ms / 2}, {"exec", at_ + ms}};
  const reports::Sample sample = measure();

  ASSERT_TRUE(sample.ok) << sample.failure->message;
  EXPECT_EQ(sample.backend, "container");
  EXPECT_DOUBLE_EQ(sample.metrics.at("time_to_ready_ms"), since_launch(sample, at_ + 2 * ms));
  EXPECT_DOUBLE_EQ(sample.metrics.at("time_to_result_ms"), since_launch(sample, at_ + 5 * ms));
  EXPECT_DOUBLE_EQ(sample.metrics.at("time_to_exit_ms"), since_launch(sample, at_ + 6 * ms));
  EXPECT_DOUBLE_EQ(sample.metrics.at("instance_memory_mib"), 64.0);
  EXPECT_DOUBLE_EQ(sample.metrics.at("cpu_time_ms"), 5.0);
  EXPECT_DOUBLE_EQ(sample.metrics.at("workload_max_rss_mib"), 2.0);
  EXPECT_TRUE(sample.metrics.contains("teardown_ms"));
  EXPECT_TRUE(sample.metrics.contains("total_ms"));
  EXPECT_DOUBLE_EQ(sample.phases.at("cloned"), since_launch(sample, at_ + ms / 2));
  EXPECT_DOUBLE_EQ(sample.phases.at("exec"), since_launch(sample, at_ + ms));
  EXPECT_TRUE(sample.phases.contains("launch_returned"));
  ASSERT_TRUE(sample.workload_result);
  EXPECT_EQ(sample.workload_result->exit_code, 0);
  EXPECT_GE(script_.destroyed, 1);
}

TEST_F(MeasureStartup, NativeHasNoTeardownNorInstanceMemory) {
  script_success();
  script_.stats = InstanceStats{std::nullopt, 5 * ms, std::nullopt};
  const reports::Sample sample = measure(reports::BackendKind::native);
  ASSERT_TRUE(sample.ok);
  EXPECT_FALSE(sample.metrics.contains("teardown_ms"));
  EXPECT_FALSE(sample.metrics.contains("instance_memory_mib"));
  EXPECT_TRUE(sample.metrics.contains("total_ms"));
}

struct Judged {
  reports::FailureKind kind;
  std::string reason;  // a part of the failure message
};

void expect_failed(const reports::Sample& sample, const Judged& expected) {
  EXPECT_FALSE(sample.ok);
  ASSERT_TRUE(sample.failure);
  EXPECT_EQ(sample.failure->kind, expected.kind) << sample.failure->message;
  EXPECT_NE(sample.failure->message.find(expected.reason), std::string::npos) << sample.failure->message;
}

TEST_F(MeasureStartup, ACrashAfterReadyIsACrashNamingTheSignalAndTheLastStderrLine) {
  script_.console = {sys::ConsoleLine{"BENCHRUN READY", at_ + 2 * ms}};
  script_.exit = InstanceExit{std::nullopt, SIGSEGV, false, at_ + 3 * ms};
  script_.diagnostics = "starting\nsegfault here";
  const reports::Sample sample = measure();
  expect_failed(sample, {reports::FailureKind::crash,
                         "instance ended (killed by SIGSEGV) before BENCHRUN RESULT: segfault here"});
  EXPECT_TRUE(sample.metrics.contains("time_to_ready_ms")) << "what was measured stays";
  EXPECT_GE(script_.destroyed, 1);
}

TEST_F(MeasureStartup, AnExitBeforeReadyIsACrashBeforeReady) {
  script_.exit = InstanceExit{127, std::nullopt, false, at_ + 1 * ms};
  expect_failed(measure(), {reports::FailureKind::crash, "instance ended (exit code 127) before BENCHRUN READY"});
}

TEST_F(MeasureStartup, AWorkloadThatFailsIsACrashWithItsExitCode) {
  script_success();
  script_.console.back() = sys::ConsoleLine{result_line(3), at_ + 5 * ms};
  expect_failed(measure(), {reports::FailureKind::crash, "workload failed: exit code 3"});
}

TEST_F(MeasureStartup, AnOomKillIsOomWhateverTheConsoleSaid) {
  script_.console = {sys::ConsoleLine{"BENCHRUN READY", at_ + 2 * ms}};
  script_.exit = InstanceExit{std::nullopt, SIGKILL, true, at_ + 3 * ms};
  expect_failed(measure(), {reports::FailureKind::oom, "OOM-killed"});
}

TEST_F(MeasureStartup, ATimeoutIsATimeoutAndTheInstanceIsTornDown) {
  script_.console = {sys::ConsoleLine{"BENCHRUN READY", at_ + 2 * ms}, sys::Timeout("no line within 1 s")};
  script_.phases = {{"exec", at_ + ms}};
  script_.diagnostics = "still spinning";
  const reports::Sample sample = measure();
  expect_failed(sample, {reports::FailureKind::timeout, "no line within 1 s: still spinning"});
  EXPECT_TRUE(sample.phases.contains("exec")) << "the phases reached stay";
  EXPECT_GE(script_.destroyed, 1);
}

TEST_F(MeasureStartup, AMalformedResultIsAnErrorQuotingTheLine) {
  script_success();
  script_.console.back() = sys::ConsoleLine{"BENCHRUN RESULT {\"exit_code\":", at_ + 5 * ms};
  expect_failed(measure(), {reports::FailureKind::error, "malformed BENCHRUN RESULT line '{\"exit_code\":'"});
  EXPECT_GE(script_.destroyed, 1);
}

TEST_F(MeasureStartup, ALaunchThatFailsIsAnErrorSample) {
  script_.launch_error = sys::Error("clone: EPERM");
  expect_failed(measure(), {reports::FailureKind::error, "clone: EPERM"});
  EXPECT_EQ(script_.destroyed, 0) << "nothing was launched";
}

TEST_F(MeasureStartup, InterruptedEscapesAfterTheInstanceWasDestroyed) {
  script_.console = {sys::ConsoleLine{"BENCHRUN READY", at_ + 2 * ms}, sys::Interrupted("SIGINT")};
  ScriptedBackend backend(reports::BackendKind::container, script_);
  EXPECT_THROW(measure_startup(backend, InstanceSpec{}, std::chrono::seconds(1)), sys::Interrupted);
  EXPECT_EQ(script_.destroyed, 1);
}

}  // namespace
}  // namespace benchrun::harness
