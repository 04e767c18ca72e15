// The density step against a fake backend whose instances print READY and then idle: when it stops and
// why (count, a launch failing with a limit's errno, a failure, a stop request), that every instance it
// started is torn down whatever stopped it, and what the samples, series and verdict say.
#include "harness/suites/density.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <set>

#include "harness/suites/density_results.hpp"
#include "protocol/workload_protocol.hpp"
#include "sys/wait.hpp"

namespace benchrun::harness {
namespace {

constexpr sys::MonotonicNs ms = 1'000'000;

// What the fake fleet did; shared by the backend and its instances (launches run on several threads).
struct FleetLog {
  std::atomic<int> launched{0};
  std::atomic<int> destroyed{0};
  int fail_launch = -1;       // the launch with this number (0-based) throws `launch_error`
  int errno_value = 0;        // 0: an Error without errno
  int interrupt_launch = -1;  // from this launch on, every READY wait is interrupted (a stop request)
  std::atomic<bool> stop_requested{false};
};

class IdleInstance final : public Instance {
 public:
  explicit IdleInstance(FleetLog& log) : log_(log) {}
  std::optional<sys::ConsoleLine> next_line(sys::MonotonicNs /*deadline*/) override {
    if (log_.stop_requested) throw sys::Interrupted("stop requested");
    if (said_ready_) throw sys::Timeout("idle");
    said_ready_ = true;
    return sys::ConsoleLine{protocol::ready_line, sys::monotonic_now()};
  }
  InstanceExit wait_exit(sys::MonotonicNs /*deadline*/) override { return {}; }
  [[nodiscard]] std::vector<std::pair<std::string, sys::MonotonicNs>> phases() const override { return {}; }
  InstanceStats stats() override { return InstanceStats{8u << 20, std::nullopt, 1u << 20}; }
  std::string diagnostics() override { return ""; }
  void destroy() override {
    if (!destroyed_) ++log_.destroyed;
    destroyed_ = true;
  }
  ~IdleInstance() override { destroy(); }

 private:
  FleetLog& log_;
  bool said_ready_ = false;
  bool destroyed_ = false;
};

class FakeBackend final : public Backend {
 public:
  explicit FakeBackend(FleetLog& log) : log_(log) {}
  [[nodiscard]] std::string name() const override { return "fake"; }
  [[nodiscard]] reports::BackendKind kind() const override { return reports::BackendKind::container; }
  std::unique_ptr<Instance> launch(const InstanceSpec& /*spec*/, sys::MonotonicNs /*deadline*/) override {
    const int number = log_.launched++;
    if (number == log_.fail_launch) {
      if (log_.errno_value != 0) throw sys::SystemError(log_.errno_value, "clone3");
      throw sys::Error("rootfs: no such image");
    }
    if (number == log_.interrupt_launch) log_.stop_requested = true;
    return std::make_unique<IdleInstance>(log_);
  }

 private:
  FleetLog& log_;
};

class MeasureDensity : public ::testing::Test {
 protected:
  StepResult measure(std::uint64_t count, unsigned parallel = 1) {
    DensityOptions options;
    options.count = count;
    options.parallel = parallel;
    FakeBackend backend(log_);
    const std::function<std::string()> next_name = [this] { return "benchrun-test-" + std::to_string(names_++); };
    const StepInput input{test_case_, next_name, std::chrono::milliseconds(1000)};
    return measure_density(backend, input, options);
  }
  [[nodiscard]] static const reports::Verdict& verdict(const StepResult& result) {
    EXPECT_EQ(result.verdicts.size(), 1U);
    return result.verdicts.front();
  }
  [[nodiscard]] static const reports::Sample& fleet_sample(const StepResult& result) { return result.samples.back(); }

  FleetLog log_;
  int names_ = 0;
  reports::Case test_case_{"idle", "idle", {}, {}};
};

TEST_F(MeasureDensity, CountReachedOnParallelLaunchesEveryInstanceMeasuredAndTornDown) {
  const StepResult result = measure(12, 3);
  EXPECT_EQ(log_.launched, 12);
  EXPECT_EQ(log_.destroyed, 12);
  ASSERT_EQ(result.samples.size(), 13U);  // one per instance, one for the fleet
  for (std::size_t index = 0; index < 12; ++index) {
    const reports::Sample& sample = result.samples[index];
    EXPECT_TRUE(sample.ok);
    EXPECT_TRUE(sample.metrics.contains("time_to_ready_ms"));
    EXPECT_TRUE(sample.metrics.contains("teardown_ms"));
    EXPECT_DOUBLE_EQ(sample.metrics.at("idle_instance_memory_mib"), 1.0);  // current usage, not the peak
  }
  EXPECT_DOUBLE_EQ(fleet_sample(result).metrics.at("instances_reached"), 12.0);
  EXPECT_GT(fleet_sample(result).metrics.at("launch_rate_per_s"), 0.0);
  EXPECT_GT(fleet_sample(result).metrics.at("teardown_rate_per_s"), 0.0);
  EXPECT_TRUE(verdict(result).pass);
  EXPECT_NE(verdict(result).why.find("12 of 12 instances READY at once; stopped: count reached"), std::string::npos);
  EXPECT_FALSE(result.interrupted);
  std::set<std::string> series;
  for (const auto& curve : result.series) series.insert(curve.name);
  EXPECT_EQ(series, (std::set<std::string>{"time_to_ready", "launch_rate", "instance_memory",
                                           "host_memory_per_instance", "teardown_rate"}));
}

TEST_F(MeasureDensity, LaunchFailingWithEmfileStopsWithTheLimitNamed) {
  log_.fail_launch = 5;
  log_.errno_value = EMFILE;
  const StepResult result = measure(20);
  EXPECT_EQ(log_.launched, 6);
  EXPECT_EQ(log_.destroyed, 5);
  EXPECT_FALSE(verdict(result).pass);
  EXPECT_NE(verdict(result).why.find("5 of 20"), std::string::npos);
  EXPECT_NE(verdict(result).why.find("kernel limit: RLIMIT_NOFILE"), std::string::npos) << verdict(result).why;
  EXPECT_FALSE(result.samples[5].ok);
}

TEST_F(MeasureDensity, OtherLaunchFailureStopsWithItsMessage) {
  log_.fail_launch = 0;
  const StepResult result = measure(20);
  EXPECT_EQ(log_.launched, 1);
  EXPECT_FALSE(verdict(result).pass);
  EXPECT_NE(verdict(result).why.find("a launch failed: rootfs: no such image"), std::string::npos);
}

TEST_F(MeasureDensity, StopRequestTearsDownEveryInstanceAndKeepsTheSamples) {
  log_.interrupt_launch = 7;
  const StepResult result = measure(100, 2);
  EXPECT_TRUE(result.interrupted);
  EXPECT_EQ(log_.destroyed, log_.launched.load());
  EXPECT_GE(result.samples.size(), 8U);
  EXPECT_NE(verdict(result).why.find("stopped: interrupted"), std::string::npos) << verdict(result).why;
}

TEST(DensityResult, StopsTheUserAskedForPassOthersFail) {
  for (StopCause cause : {StopCause::count_reached, StopCause::memory_budget, StopCause::time_budget})
    EXPECT_TRUE(stopped_as_asked(cause));
  for (StopCause cause :
       {StopCause::host_memory, StopCause::kernel_limit, StopCause::launch_failed, StopCause::interrupted})
    EXPECT_FALSE(stopped_as_asked(cause));
}

TEST(DensityResult, CurvesFollowTheCountAndTheHostMemoryDrop) {
  DensityRun run;
  run.target = 3;
  run.started_at = 1000 * ms;
  run.host_available_at_start = 1000ULL << 20;
  run.host_available_all_up = 994ULL << 20;
  run.teardown_started_at = 2000 * ms;
  for (std::uint64_t rank = 1; rank <= 3; ++rank) {
    InstanceRecord record;
    record.launched_at = run.started_at + (rank - 1) * 100 * ms;
    record.ready_at = record.launched_at + 10 * rank * ms;  // 10, 20, 30 ms to READY
    record.ready_rank = rank;
    record.host_available_bytes = run.host_available_at_start - (2 * rank << 20);  // 2 MiB each
    record.memory_bytes = 1 << 20;
    record.teardown_started_at = run.teardown_started_at;
    record.torn_down_at = run.teardown_started_at + rank * 50 * ms;
    run.instances.push_back(record);
  }
  const StepResult result = density_result(run);
  const auto curve = [&](std::string_view name) {
    for (const auto& series : result.series) {
      if (series.name == name) return series.points;
    }
    return std::vector<reports::SeriesPoint>{};
  };
  EXPECT_EQ(curve("time_to_ready"), (std::vector<reports::SeriesPoint>{{1, 10}, {2, 20}, {3, 30}}));
  EXPECT_EQ(curve("host_memory_per_instance"), (std::vector<reports::SeriesPoint>{{1, 2}, {2, 2}, {3, 2}}));
  const reports::Sample& fleet = result.samples.back();
  EXPECT_DOUBLE_EQ(fleet.metrics.at("host_memory_per_instance_mib"), 2.0);
  EXPECT_DOUBLE_EQ(fleet.metrics.at("launch_rate_per_s"), 3 / 0.23);    // last READY 230 ms after the first launch
  EXPECT_DOUBLE_EQ(fleet.metrics.at("teardown_rate_per_s"), 3 / 0.15);  // the last gone 150 ms into teardown
  EXPECT_TRUE(result.verdicts.front().pass);
}

TEST(DensityResult, RateCurveUsesAMovingWindow) {
  // Events every 10 ms from 0: the first point counts from `from`, later ones over the last 2 events.
  const std::vector<sys::MonotonicNs> times{10 * ms, 20 * ms, 30 * ms, 50 * ms};
  const auto points = rate_curve(times, 0, 2);
  ASSERT_EQ(points.size(), 4U);
  EXPECT_DOUBLE_EQ(points[0].y, 100.0);     // 1 event in 10 ms
  EXPECT_DOUBLE_EQ(points[1].y, 100.0);     // 2 in 20 ms
  EXPECT_DOUBLE_EQ(points[2].y, 100.0);     // 2 in 20 ms (10 -> 30)
  EXPECT_DOUBLE_EQ(points[3].y, 2 / 0.03);  // 2 in 30 ms (20 -> 50)
  EXPECT_EQ(rate_window(10), 1U);
  EXPECT_EQ(rate_window(500), 25U);
  EXPECT_EQ(rate_window(6000), 50U);
}

}  // namespace
}  // namespace benchrun::harness
