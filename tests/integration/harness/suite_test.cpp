// `benchrun --suite startup` end to end, as root, for real: the report it writes, what it prints, what it
// refuses, what an interrupt keeps, and that nothing is left behind.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/process.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "benchrun_process.hpp"
#include "sys/file_io.hpp"

namespace benchrun::testing {
namespace {

namespace bp = boost::process;
using nlohmann::json;

class StartupSuite : public LeakCheckedTest {
 protected:
  // benchrun --suite startup ARGS --out <a fresh folder>
  CommandResult run_startup(std::vector<std::string> args) {
    args.insert(args.begin(), {"--suite", "startup"});
    args.insert(args.end(), {"--out", out_.path().string()});
    return run_benchrun(args);
  }

  // Runs the suite, which must succeed, print every text of `shown` and write a report that validates; the report.
  json measured_report(std::vector<std::string> args, const std::vector<std::string>& shown) {
    const auto result = run_startup(std::move(args));
    EXPECT_EQ(result.exit_code, 0) << result.err << result.out;
    for (const auto& text : shown) EXPECT_NE(result.out.find(text), std::string::npos) << text << " in " << result.out;
    const auto report_path = out_.path() / "report.json";
    EXPECT_EQ(validate_against_schema(report_path), "");
    return json::parse(read_text(report_path));
  }

  TempDir out_;
};

TEST_F(StartupSuite, ThreeRunsPerBackendGiveAValidReportAndATable) {
  const json report =
      measured_report({"--backends", "native,container", "--start", "cold", "--runs", "3", "--warmup", "1"},
                      {"time_to_ready_ms", "container", "report: "});
  EXPECT_TRUE(report.at("complete").get<bool>());
  std::map<std::string, int> measured;
  for (const auto& sample : report.at("samples")) {
    EXPECT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
    if (!sample.at("warmup").get<bool>()) ++measured[sample.at("backend").get<std::string>()];
  }
  EXPECT_EQ(measured, (std::map<std::string, int>{{"container", 3}, {"native", 3}}));
  bool has_container_phases = false;
  for (const auto& summary : report.at("summaries")) {
    if (summary.at("backend") == "container" && summary.at("metric") == "time_to_ready_ms") {
      EXPECT_EQ(summary.at("summary").at("count").get<int>(), 3);
      EXPECT_GT(summary.at("ratio_to_native").get<double>(), 0.0);
    }
  }
  for (const auto& sample : report.at("samples")) {
    if (sample.at("backend") == "container") has_container_phases = sample.at("phases").contains("mounts_done");
  }
  EXPECT_TRUE(has_container_phases) << "the container's phase breakdown belongs in every sample";
  EXPECT_FALSE(report.at("environment").at("kernel").get<std::string>().empty());
  EXPECT_FALSE(report.at("environment").at("cgroup_version").get<std::string>().empty());

  // Every sample of the report was appended to samples.jsonl as it was taken.
  const std::string log = read_text(out_.path() / "samples.jsonl");
  EXPECT_EQ(static_cast<std::size_t>(std::count(log.begin(), log.end(), '\n')), report.at("samples").size());
}

TEST_F(StartupSuite, BothStartModesAreReportedForEveryBackend) {
  const json report =
      measured_report({"--backends", "native,container", "--start", "both", "--runs", "2", "--warmup", "0"},
                      {"phases container cold", "phases container warm"});
  EXPECT_EQ(report.at("options").at("start_modes"), json({"cold", "warm"}));

  std::map<std::string, int> samples_per_backend_and_mode;
  for (const auto& sample : report.at("samples")) {
    ++samples_per_backend_and_mode[sample.at("backend").get<std::string>() + " " +
                                   sample.at("start_mode").get<std::string>()];
  }
  const std::map<std::string, int> two_each{
      {"container cold", 2}, {"container warm", 2}, {"native cold", 2}, {"native warm", 2}};
  EXPECT_EQ(samples_per_backend_and_mode, two_each);

  std::set<std::string> ready_summaries;
  for (const auto& summary : report.at("summaries")) {
    if (summary.at("metric") != "time_to_ready_ms") continue;
    ready_summaries.insert(summary.at("backend").get<std::string>() + " " +
                           summary.at("start_mode").get<std::string>());
    if (summary.at("backend") == "container") {
      EXPECT_TRUE(summary.at("ratio_to_native").is_number()) << summary.dump();
    }
  }
  EXPECT_EQ(ready_summaries, (std::set<std::string>{"container cold", "container warm", "native cold", "native warm"}));

  std::set<std::string> cgroup_phase_summaries;
  for (const auto& phase : report.at("phase_summaries")) {
    if (phase.at("metric") == "cgroup_ready") cgroup_phase_summaries.insert(phase.at("start_mode").get<std::string>());
  }
  EXPECT_EQ(cgroup_phase_summaries, (std::set<std::string>{"cold", "warm"}));
}

TEST_F(StartupSuite, AFailingWorkloadIsRecordedAndTheRunGoesOn) {
  const auto result = run_startup({"--backends", "container", "--workload", "hog 256", "--memory", "64M", "--start",
                                   "warm", "--runs", "2", "--warmup", "0"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find("oom"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("container (warm): 2 of 2 samples failed"), std::string::npos) << result.err;
  const json report = json::parse(read_text(out_.path() / "report.json"));
  ASSERT_EQ(report.at("samples").size(), 2u);
  for (const auto& sample : report.at("samples")) {
    EXPECT_FALSE(sample.at("ok").get<bool>());
    EXPECT_EQ(sample.at("failure").at("kind"), "oom") << sample.dump();
  }
  EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
}

TEST_F(StartupSuite, AHungWorkloadTimesOutAndIsTornDown) {
  const auto result = run_startup({"--backends", "native,container", "--workload", "spin 60000", "--timeout", "1",
                                   "--start", "cold", "--runs", "1", "--warmup", "0"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  const json report = json::parse(read_text(out_.path() / "report.json"));
  ASSERT_EQ(report.at("samples").size(), 2u);
  for (const auto& sample : report.at("samples"))
    EXPECT_EQ(sample.at("failure").at("kind"), "timeout") << sample.dump();
}

TEST_F(StartupSuite, InterruptKeepsEverySampleAndMarksTheReportIncomplete) {
  const auto err_path = out_.path() / "stderr";
  bp::child child(benchrun_executable().string(), "--suite", "startup", "--backends", "native,container", "--workload",
                  "spin 300", "--runs", "100", "--warmup", "0", "--out", out_.path().string(), bp::std_out > bp::null,
                  bp::std_err > err_path.string());
  // Interrupt once two samples are in the log (the checks below want them), however long a loaded
  // machine takes to get there; the log only grows, so polling it cannot miss the moment.
  const auto samples_logged = [&] {
    const std::string log = sys::read_file_if_present(out_.path() / "samples.jsonl").value_or("");
    return std::count(log.begin(), log.end(), '\n');
  };
  const auto give_up_at = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (samples_logged() < 2 && child.running() && std::chrono::steady_clock::now() < give_up_at) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(child.running()) << "benchrun ended before it was interrupted: " << read_text(err_path);
  ::kill(child.id(), SIGINT);
  child.wait();
  EXPECT_EQ(child.exit_code(), 130) << read_text(err_path);
  const json report = json::parse(read_text(out_.path() / "report.json"));
  EXPECT_FALSE(report.at("complete").get<bool>());
  EXPECT_GE(report.at("samples").size(), 2u);
  const std::string log = read_text(out_.path() / "samples.jsonl");
  EXPECT_EQ(static_cast<std::size_t>(std::count(log.begin(), log.end(), '\n')), report.at("samples").size());
  EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
}

struct BadInput {
  std::string name;
  std::vector<std::string> args;
  std::string expected_in_message;
};

void PrintTo(const BadInput& input, std::ostream* out) { *out << input.name; }

class StartupSuiteBadInput : public ::testing::TestWithParam<BadInput> {};

TEST_P(StartupSuiteBadInput, ExitsTwoWithOneLineNamingTheFix) {
  const auto result = run_benchrun(GetParam().args);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find(GetParam().expected_in_message), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(result.err.find("terminate called"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, StartupSuiteBadInput,
    ::testing::Values(
        BadInput{"UnknownSuite", {"--suite", "nosuch"}, "unknown suite 'nosuch'"},
        BadInput{"UnknownBackend", {"--suite", "startup", "--backends", "xen"}, "unknown backend 'xen'"},
        BadInput{"ZeroRuns", {"--suite", "startup", "--runs", "0"}, "--runs 0"},
        BadInput{"UnknownStartMode", {"--suite", "startup", "--start", "hot"}, "choose one of cold, warm, both"},
        BadInput{"UnwritableOut", {"--suite", "startup", "--out", "/proc/benchrun-not-writable"}, "--out"},
        BadInput{"MissingImage", {"--suite", "startup", "--image", "nosuch"}, "scripts/build-image.sh"},
        BadInput{"UnknownWorkload", {"--suite", "startup", "--workload", "nosuch"}, "workload 'nosuch'"}),
    [](const ::testing::TestParamInfo<BadInput>& info) { return info.param.name; });

}  // namespace
}  // namespace benchrun::testing
