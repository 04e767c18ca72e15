// The runner's loop, driven by a scripted step: the order of steps over rounds, cases, backends and start modes,
// warm-up flags, unique names, what it stamps on samples and series, the samples log and what an interrupt keeps.
#include "harness/runner.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "tests/support/temp_dir.hpp"

namespace benchrun::harness {
namespace {

using reports::StartMode;

class NamedBackend final : public Backend {
 public:
  explicit NamedBackend(std::string name) : name_(std::move(name)) {}
  [[nodiscard]] std::string name() const override { return name_; }
  [[nodiscard]] reports::BackendKind kind() const override { return reports::BackendKind::native; }
  std::unique_ptr<Instance> launch(const InstanceSpec&, sys::MonotonicNs) override {
    throw sys::Error("not launched here");
  }

 private:
  std::string name_;
};

reports::Case named_case(const std::string& name) { return reports::Case{name, name, {}, {}}; }

class RunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plan_.run_id = "test";
    plan_.backends.push_back(std::make_unique<NamedBackend>("a"));
    plan_.backends.push_back(std::make_unique<NamedBackend>("b"));
    plan_.cases = {named_case("hello")};
    plan_.warmup = 1;
    plan_.runs = 3;
    plan_.start_modes = {StartMode::warm};  // one step per backend and round, no primer needed below
    plan_.cold_settle = std::chrono::milliseconds(1);
  }

  // Records "<case>/<backend>:<instance name>" for every step and returns one ok sample (the runner fills in the rest).
  Step recording_step() {
    return [this](Backend& backend, const StepInput& input) {
      steps_.push_back(input.test_case.name + "/" + backend.name() + ":" + input.next_instance_name());
      reports::Sample sample;
      sample.ok = true;
      StepResult result;
      result.samples.push_back(sample);
      return result;
    };
  }

  RunOutcome run(const Step& step) {
    Progress progress(steps_in(plan_), false);
    return run_plan(plan_, step, log_, progress);
  }

  // "<case>/<backend>" of each step taken, primers included.
  [[nodiscard]] std::vector<std::string> stepped() const {
    std::vector<std::string> order;
    for (const auto& entry : steps_) order.push_back(entry.substr(0, entry.find(':')));
    return order;
  }

  [[nodiscard]] std::size_t logged() const { return reports::read_samples_log(dir_ / "samples.jsonl").samples.size(); }

  const benchrun::testing::TempDir temp_dir_{"benchrun-runner-test"};
  const std::filesystem::path dir_ = temp_dir_.path();
  reports::SamplesLog log_{dir_ / "samples.jsonl"};
  RunPlan plan_;
  std::vector<std::string> steps_;  // "<case>/<backend>:<instance name>" in the order taken
};

// "<case>/<backend>:<start mode>" of each sample, in the order taken.
std::vector<std::string> places(const RunOutcome& outcome) {
  std::vector<std::string> order;
  for (const auto& sample : outcome.samples) {
    order.push_back(sample.case_name + "/" + sample.backend + ":" +
                    (sample.start_mode ? std::string(reports::to_string(*sample.start_mode)) : "-"));
  }
  return order;
}

TEST_F(RunnerTest, InterleavesBackendsAfterWarmupAndLogsEverySample) {
  plan_.start_modes = {StartMode::cold};
  const auto outcome = run(recording_step());

  ASSERT_EQ(outcome.samples.size(), 8u);
  EXPECT_FALSE(outcome.interrupted);
  EXPECT_EQ(stepped(), (std::vector<std::string>{"hello/a", "hello/b", "hello/a", "hello/b", "hello/a", "hello/b",
                                                 "hello/a", "hello/b"}));
  std::set<std::string> names;
  for (const auto& entry : steps_) names.insert(entry.substr(entry.find(':') + 1));
  EXPECT_EQ(names.size(), 8u) << "every instance needs its own resource names";
  EXPECT_TRUE(outcome.samples[0].warmup && outcome.samples[1].warmup);
  for (std::size_t i = 2; i < 8; ++i) {
    EXPECT_FALSE(outcome.samples[i].warmup);
    EXPECT_EQ(outcome.samples[i].repetition, static_cast<int>((i - 2) / 2));
  }
  EXPECT_EQ(logged(), 8u);
}

TEST_F(RunnerTest, EachRoundTakesEveryCaseOnEveryBackendInItsStartModes) {
  plan_.cases = {named_case("hello"), named_case("spin")};
  plan_.start_modes = {StartMode::cold, StartMode::warm};
  plan_.runs = 2;
  const auto outcome = run(recording_step());

  const std::vector<std::string> round = {"hello/a:cold", "hello/a:warm", "hello/b:cold", "hello/b:warm",
                                          "spin/a:cold",  "spin/a:warm",  "spin/b:cold",  "spin/b:warm"};
  std::vector<std::string> expected;
  for (int rounds = 0; rounds < 3; ++rounds) expected.insert(expected.end(), round.begin(), round.end());
  EXPECT_EQ(places(outcome), expected) << "warm-up round first, then the measured ones, all alike";
  for (std::size_t i = 0; i < outcome.samples.size(); ++i) {
    EXPECT_EQ(outcome.samples[i].warmup, i < 8) << i;
    EXPECT_EQ(outcome.samples[i].repetition, i < 8 ? 0 : static_cast<int>((i - 8) / 8)) << i;
  }
  EXPECT_EQ(steps_.size(), 24u);
  EXPECT_EQ(steps_in(plan_), 24);
  EXPECT_EQ(logged(), 24u);
}

TEST_F(RunnerTest, AStepMayReturnManySamplesAndSeriesAndEachGetsItsPlace) {
  plan_.cases = {named_case("density")};
  plan_.warmup = 0;
  plan_.runs = 1;
  const auto outcome = run([](Backend&, const StepInput& input) {
    StepResult result;
    for (int instance = 0; instance < 3; ++instance) {
      reports::Sample sample;
      sample.ok = true;
      sample.metrics["instance_memory_mib"] = instance;
      (void)input.next_instance_name();
      result.samples.push_back(sample);
    }
    result.series.push_back(
        reports::Series{"memory_per_instance", "", "", "instances", "count", "memory", "MiB", {{1, 2.0}, {2, 2.5}}});
    return result;
  });

  EXPECT_EQ(places(outcome), (std::vector<std::string>{"density/a:warm", "density/a:warm", "density/a:warm",
                                                       "density/b:warm", "density/b:warm", "density/b:warm"}));
  ASSERT_EQ(outcome.series.size(), 2u);
  EXPECT_EQ(outcome.series[0].backend, "a");
  EXPECT_EQ(outcome.series[1].backend, "b");
  EXPECT_EQ(outcome.series[1].case_name, "density");
  EXPECT_EQ(outcome.series[1].points.size(), 2u);
  EXPECT_EQ(logged(), 6u);
}

TEST_F(RunnerTest, InterruptEndsTheRunAndKeepsWhatWasMeasured) {
  plan_.start_modes = {StartMode::cold};
  int calls = 0;
  const Step record = recording_step();
  const auto outcome = run([&](Backend& backend, const StepInput& input) {
    if (++calls == 4) throw sys::Interrupted("stop");
    return record(backend, input);
  });
  EXPECT_TRUE(outcome.interrupted);
  EXPECT_EQ(outcome.samples.size(), 3u);
  EXPECT_EQ(logged(), 3u);
}

TEST_F(RunnerTest, BothModesTakeColdThenWarmBackToBackPerBackendWithinInterleavedRounds) {
  plan_.start_modes = {StartMode::cold, StartMode::warm};
  const auto outcome = run(recording_step());

  ASSERT_EQ(outcome.samples.size(), 16u);
  EXPECT_EQ(steps_.size(), 16u) << "the cold launch primes the warm one: no extra launch";
  const std::vector<std::string> round = {"hello/a:cold", "hello/a:warm", "hello/b:cold", "hello/b:warm"};
  std::vector<std::string> expected;
  for (int rounds = 0; rounds < 4; ++rounds) expected.insert(expected.end(), round.begin(), round.end());
  EXPECT_EQ(places(outcome), expected);
  const auto logged_samples = reports::read_samples_log(dir_ / "samples.jsonl").samples;
  ASSERT_EQ(logged_samples.size(), 16u);
  EXPECT_EQ(logged_samples[1].start_mode, StartMode::warm) << "the samples log keeps the mode";
}

TEST_F(RunnerTest, WarmAloneIsPrimedByAnUnmeasuredStepOfTheSameBackendAndCase) {
  plan_.cases = {named_case("hello"), named_case("spin")};
  plan_.warmup = 0;
  plan_.runs = 1;
  const auto outcome = run(recording_step());

  EXPECT_EQ(places(outcome), (std::vector<std::string>{"hello/a:warm", "hello/b:warm", "spin/a:warm", "spin/b:warm"}));
  EXPECT_EQ(stepped(), (std::vector<std::string>{"hello/a", "hello/a", "hello/b", "hello/b", "spin/a", "spin/a",
                                                 "spin/b", "spin/b"}))
      << "each warm sample right after a primer of its own backend and case";
  EXPECT_EQ(logged(), 4u) << "primers are not samples";
  EXPECT_EQ(launches_per_round(plan_.start_modes), 2);
  EXPECT_EQ(steps_in(plan_), 8);
}

TEST_F(RunnerTest, ColdAloneTakesOneColdSamplePerBackendAndRound) {
  plan_.start_modes = {StartMode::cold};
  plan_.warmup = 0;
  plan_.runs = 2;
  const auto outcome = run(recording_step());
  EXPECT_EQ(places(outcome),
            (std::vector<std::string>{"hello/a:cold", "hello/b:cold", "hello/a:cold", "hello/b:cold"}));
  EXPECT_EQ(steps_.size(), 4u);
  EXPECT_EQ(launches_per_round(plan_.start_modes), 1);
}

TEST(RunnerNames, InstanceNamesCarryBenchrunAndTheRunId) {
  EXPECT_EQ(instance_name("20261123-101010-00ff", 7), "benchrun-20261123-101010-00ff-7");
  const std::string id = make_run_id();
  EXPECT_EQ(id.size(), std::string("20261123-101010-00ff").size()) << id;
}

}  // namespace
}  // namespace benchrun::harness
