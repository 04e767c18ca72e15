// The runner's loop, driven by a scripted measure function: the order of instances, warm-up flags,
// unique names, the samples log and what an interrupt keeps.
#include "harness/runner.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "tests/support/temp_dir.hpp"

namespace benchrun::harness {
namespace {

class NamedBackend final : public Backend {
 public:
  explicit NamedBackend(std::string name) : name_(std::move(name)) {}
  [[nodiscard]] std::string name() const override { return name_; }
  [[nodiscard]] BackendKind kind() const override { return BackendKind::native; }
  std::unique_ptr<Instance> launch(const InstanceSpec&, sys::MonotonicNs) override {
    throw sys::Error("not launched here");
  }

 private:
  std::string name_;
};

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plan_.run_id = "test";
    plan_.backends.push_back(std::make_unique<NamedBackend>("a"));
    plan_.backends.push_back(std::make_unique<NamedBackend>("b"));
    plan_.workload = "hello";
    plan_.warmup = 1;
    plan_.runs = 3;
    plan_.start_modes = {reports::StartMode::warm};  // one launch per backend and round, no primer needed below
    plan_.cold_settle = std::chrono::milliseconds(1);
  }

  // Records "<backend>:<instance name>" and returns an ok sample.
  Measure recording_measure() {
    return [this](Backend& backend, const InstanceSpec& spec, std::chrono::milliseconds) {
      launched_.push_back(backend.name() + ":" + spec.name);
      reports::Sample sample;
      sample.backend = backend.name();
      sample.ok = true;
      return sample;
    };
  }

  const benchrun::testing::TempDir temp_dir_{"benchrun-runner-test"};
  const std::filesystem::path dir_ = temp_dir_.path();
  RunPlan plan_;
  std::vector<std::string> launched_;  // "<backend>:<instance name>" in launch order
};

TEST_F(RunnerTest, InterleavesBackendsAfterWarmupAndLogsEverySample) {
  plan_.start_modes = {reports::StartMode::cold};
  reports::SamplesLog log(dir_ / "samples.jsonl");
  Progress progress(8, false);
  const auto outcome = run_plan(
      plan_,
      [&](Backend& backend, const InstanceSpec& spec, std::chrono::milliseconds) {
        launched_.push_back(backend.name() + ":" + spec.name);
        reports::Sample sample;
        sample.backend = backend.name();
        sample.ok = true;
        sample.metrics["time_to_ready_ms"] = 1.0;
        return sample;
      },
      log, progress);

  ASSERT_EQ(outcome.samples.size(), 8u);
  EXPECT_FALSE(outcome.interrupted);
  std::vector<std::string> order;
  std::set<std::string> names;
  for (const auto& entry : launched_) {
    order.push_back(entry.substr(0, 1));
    names.insert(entry.substr(2));
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a", "b", "a", "b", "a", "b", "a", "b"}));
  EXPECT_EQ(names.size(), 8u) << "every instance needs its own resource names";
  EXPECT_TRUE(outcome.samples[0].warmup && outcome.samples[1].warmup);
  for (std::size_t i = 2; i < 8; ++i) {
    EXPECT_FALSE(outcome.samples[i].warmup);
    EXPECT_EQ(outcome.samples[i].repetition, static_cast<int>((i - 2) / 2));
  }
  EXPECT_EQ(reports::read_samples_log(dir_ / "samples.jsonl").samples.size(), 8u);
}

TEST_F(RunnerTest, InterruptEndsTheRunAndKeepsWhatWasMeasured) {
  plan_.start_modes = {reports::StartMode::cold};
  reports::SamplesLog log(dir_ / "samples.jsonl");
  Progress progress(8, false);
  int calls = 0;
  const auto outcome = run_plan(
      plan_,
      [&](Backend& backend, const InstanceSpec&, std::chrono::milliseconds) {
        if (++calls == 4) throw sys::Interrupted("stop");
        reports::Sample sample;
        sample.backend = backend.name();
        sample.ok = true;
        return sample;
      },
      log, progress);
  EXPECT_TRUE(outcome.interrupted);
  EXPECT_EQ(outcome.samples.size(), 3u);
  EXPECT_EQ(reports::read_samples_log(dir_ / "samples.jsonl").samples.size(), 3u);
}

// "a:cold" for each sample, in the order taken.
std::vector<std::string> backends_and_modes(const RunOutcome& outcome) {
  std::vector<std::string> order;
  for (const auto& sample : outcome.samples) {
    order.push_back(sample.backend + ":" +
                    (sample.start_mode ? std::string(reports::to_string(*sample.start_mode)) : "-"));
  }
  return order;
}

TEST_F(RunnerTest, BothModesTakeColdThenWarmBackToBackPerBackendWithinInterleavedRounds) {
  plan_.start_modes = {reports::StartMode::cold, reports::StartMode::warm};
  reports::SamplesLog log(dir_ / "samples.jsonl");
  Progress progress(16, false);
  const auto outcome = run_plan(plan_, recording_measure(), log, progress);

  ASSERT_EQ(outcome.samples.size(), 16u);
  EXPECT_EQ(launched_.size(), 16u) << "the cold launch primes the warm one: no extra launch";
  const std::vector<std::string> round = {"a:cold", "a:warm", "b:cold", "b:warm"};
  std::vector<std::string> expected;
  for (int rounds = 0; rounds < 4; ++rounds) expected.insert(expected.end(), round.begin(), round.end());
  EXPECT_EQ(backends_and_modes(outcome), expected);
  for (std::size_t i = 0; i < outcome.samples.size(); ++i) {
    EXPECT_EQ(outcome.samples[i].warmup, i < 4) << i;
    EXPECT_EQ(outcome.samples[i].repetition, i < 4 ? 0 : static_cast<int>((i - 4) / 4)) << i;
  }
  const auto logged = reports::read_samples_log(dir_ / "samples.jsonl").samples;
  ASSERT_EQ(logged.size(), 16u);
  EXPECT_EQ(logged[1].start_mode, reports::StartMode::warm) << "the samples log keeps the mode";
}

TEST_F(RunnerTest, WarmAloneIsPrimedByAnUnmeasuredLaunchOfTheSameBackend) {
  plan_.warmup = 0;
  plan_.runs = 2;
  reports::SamplesLog log(dir_ / "samples.jsonl");
  Progress progress(8, false);
  const auto outcome = run_plan(plan_, recording_measure(), log, progress);

  EXPECT_EQ(backends_and_modes(outcome), (std::vector<std::string>{"a:warm", "b:warm", "a:warm", "b:warm"}));
  std::vector<std::string> launched_backends;
  for (const auto& entry : launched_) launched_backends.push_back(entry.substr(0, 1));
  EXPECT_EQ(launched_backends, (std::vector<std::string>{"a", "a", "b", "b", "a", "a", "b", "b"}))
      << "each warm sample right after a primer of its own backend";
  EXPECT_EQ(reports::read_samples_log(dir_ / "samples.jsonl").samples.size(), 4u) << "primers are not samples";
  EXPECT_EQ(launches_per_round(plan_.start_modes), 2);
}

TEST_F(RunnerTest, ColdAloneTakesOneColdSamplePerBackendAndRound) {
  plan_.start_modes = {reports::StartMode::cold};
  plan_.warmup = 0;
  plan_.runs = 2;
  reports::SamplesLog log(dir_ / "samples.jsonl");
  Progress progress(4, false);
  const auto outcome = run_plan(plan_, recording_measure(), log, progress);
  EXPECT_EQ(backends_and_modes(outcome), (std::vector<std::string>{"a:cold", "b:cold", "a:cold", "b:cold"}));
  EXPECT_EQ(launched_.size(), 4u);
  EXPECT_EQ(launches_per_round(plan_.start_modes), 1);
}

TEST(RunnerNames, InstanceNamesCarryBenchrunAndTheRunId) {
  EXPECT_EQ(instance_name("20261123-101010-00ff", 7), "benchrun-20261123-101010-00ff-7");
  const std::string id = make_run_id();
  EXPECT_EQ(id.size(), std::string("20261123-101010-00ff").size()) << id;
}

}  // namespace
}  // namespace benchrun::harness
