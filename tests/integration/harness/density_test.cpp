// `benchrun --suite density` end to end on containers, as root, for real: the samples, curves, metrics and
// verdict of a small fleet; a memory budget and a lowered fd limit stopping it early with the reason named;
// --raise-limits getting past that limit; Ctrl-C tearing the fleet down. Nothing may be left behind.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/process.hpp>
#include <nlohmann/json.hpp>
#include <thread>

#include "benchrun_process.hpp"
#include "sys/file_io.hpp"

namespace benchrun::testing {
namespace {

namespace bp = boost::process;
using nlohmann::json;

// The fd limit the fd-limit tests run benchrun under: room for a few dozen containers.
constexpr const char* low_nofile = "--nofile=160:160";

class DensitySuite : public LeakCheckedTest {
 protected:
  [[nodiscard]] std::vector<std::string> density_args(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--suite", "density", "--backends", "container", "-q"});
    args.insert(args.end(), {"--out", out_.path().string()});
    return args;
  }
  // benchrun under a lowered RLIMIT_NOFILE (soft and hard), through util-linux prlimit.
  [[nodiscard]] CommandResult run_with_low_fd_limit(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{"prlimit", low_nofile, benchrun_executable().string()};
    const auto benchrun_args = density_args(args);
    argv.insert(argv.end(), benchrun_args.begin(), benchrun_args.end());
    return run_command(argv);
  }
  [[nodiscard]] json report() const {
    EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
    return json::parse(read_text(out_.path() / "report.json"));
  }
  // The fleet sample: the one carrying instances_reached.
  static json fleet_metrics(const json& report) {
    for (const auto& sample : report.at("samples")) {
      if (sample.at("metrics").contains("instances_reached")) return sample.at("metrics");
    }
    ADD_FAILURE() << "no fleet sample";
    return json::object();
  }
  static const json& count_verdict(const json& report) {
    EXPECT_EQ(report.at("verdicts").size(), 1u);
    EXPECT_EQ(report.at("verdicts").at(0).at("check"), "density.count_reached");
    return report.at("verdicts").at(0);
  }

  TempDir out_;
};

TEST_F(DensitySuite, TwentyContainersTwoAtATimeGiveSamplesCurvesAndRates) {
  const auto result = run_benchrun(density_args({"--count", "20", "--parallel", "2"}));
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const json measured = report();
  EXPECT_TRUE(measured.at("complete").get<bool>());
  ASSERT_EQ(measured.at("samples").size(), 21u);  // 20 instances and the fleet
  int instances = 0;
  for (const auto& sample : measured.at("samples")) {
    EXPECT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
    if (!sample.at("metrics").contains("time_to_ready_ms")) continue;
    ++instances;
    EXPECT_GT(sample.at("metrics").at("idle_instance_memory_mib").get<double>(), 0.0) << sample.dump();
    EXPECT_TRUE(sample.at("metrics").contains("teardown_ms")) << sample.dump();
  }
  EXPECT_EQ(instances, 20);
  const json fleet = fleet_metrics(measured);
  EXPECT_EQ(fleet.at("instances_reached").get<double>(), 20.0);
  EXPECT_GT(fleet.at("launch_rate_per_s").get<double>(), 0.0);
  EXPECT_GT(fleet.at("teardown_rate_per_s").get<double>(), 0.0);
  std::map<std::string, std::size_t> points;
  for (const auto& series : measured.at("series")) points[series.at("name")] = series.at("points").size();
  EXPECT_EQ(points.at("time_to_ready"), 20u);
  EXPECT_EQ(points.at("instance_memory"), 20u);
  EXPECT_EQ(points.at("launch_rate"), 20u);
  EXPECT_EQ(points.at("teardown_rate"), 20u);
  EXPECT_TRUE(points.contains("host_memory_per_instance"));
  const json& verdict = count_verdict(measured);
  EXPECT_TRUE(verdict.at("pass").get<bool>());
  EXPECT_NE(verdict.at("why").get<std::string>().find("stopped: count reached"), std::string::npos);
}

TEST_F(DensitySuite, MemoryBudgetStopsEarlyAndSaysSo) {
  // A 1 MiB budget: a few containers at most (each takes well over 100 KiB of the host).
  const auto result = run_benchrun(density_args({"--count", "2000", "--max-memory", "1M"}));
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;  // a stop the user asked for
  const json measured = report();
  EXPECT_LT(fleet_metrics(measured).at("instances_reached").get<double>(), 2000.0);
  const json& verdict = count_verdict(measured);
  EXPECT_TRUE(verdict.at("pass").get<bool>());
  EXPECT_NE(verdict.at("why").get<std::string>().find("memory budget (--max-memory) reached"), std::string::npos)
      << verdict.dump();
}

TEST_F(DensitySuite, LowFdLimitStopsWithItsNameAndTheFlagThatRaisesIt) {
  const auto result = run_with_low_fd_limit({"--count", "500"});
  EXPECT_EQ(result.exit_code, 1) << result.out;  // the count asked for was not reached
  EXPECT_NE(result.out.find("RLIMIT_NOFILE"), std::string::npos) << result.out;
  const json measured = report();
  const double reached = fleet_metrics(measured).at("instances_reached").get<double>();
  EXPECT_GT(reached, 0.0);
  EXPECT_LT(reached, 500.0);
  const json& verdict = count_verdict(measured);
  EXPECT_FALSE(verdict.at("pass").get<bool>());
  const std::string why = verdict.at("why").get<std::string>();
  EXPECT_NE(why.find("kernel limit: RLIMIT_NOFILE"), std::string::npos) << why;
  EXPECT_NE(why.find("--raise-limits would raise it"), std::string::npos) << why;
  for (const auto& sample : measured.at("samples")) EXPECT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
}

// Raising a hard RLIMIT_NOFILE takes CAP_SYS_RESOURCE, which some sandboxes drop (this project's CI
// machine does): there the run must stop at the limit and say why the raise failed.
bool has_cap_sys_resource() {
  const std::string status = read_text("/proc/self/status");
  const auto at = status.find("CapEff:");
  constexpr int cap_sys_resource = 24;
  return (std::stoull(status.substr(at + 7), nullptr, 16) >> cap_sys_resource & 1U) != 0;
}

TEST_F(DensitySuite, RaiseLimitsGetsPastTheFdLimitOrSaysWhyItCannot) {
  const auto result = run_with_low_fd_limit({"--count", "60", "--raise-limits"});
  const json measured = report();
  const json& verdict = count_verdict(measured);
  if (!has_cap_sys_resource()) {
    EXPECT_EQ(result.exit_code, 1) << result.out;
    EXPECT_NE(verdict.at("why").get<std::string>().find("raising RLIMIT_NOFILE: setrlimit(RLIMIT_NOFILE): EPERM"),
              std::string::npos)
        << verdict.dump();
    return;
  }
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_EQ(fleet_metrics(measured).at("instances_reached").get<double>(), 60.0);
  EXPECT_TRUE(verdict.at("pass").get<bool>());
  bool recorded = false;
  for (const auto& warning : measured.at("warnings")) {
    const std::string text = warning.get<std::string>();
    recorded = recorded || (text.find("RLIMIT_NOFILE raised from") != std::string::npos &&
                            text.find("restored afterwards") != std::string::npos);
  }
  EXPECT_TRUE(recorded) << measured.at("warnings").dump();
}

TEST_F(DensitySuite, InterruptTearsTheFleetDownAndKeepsWhatWasMeasured) {
  const auto err_path = out_.path() / "stderr";
  const auto args = density_args({"--count", "3000", "--parallel", "2"});
  bp::child child(benchrun_executable().string(), bp::args(args), bp::std_out > bp::null,
                  bp::std_err > err_path.string());
  // Interrupt once a few containers are up, however long a loaded machine takes to get there.
  const auto containers_up = [] {
    const std::string leftovers = benchrun_leftovers();
    std::size_t count = 0;
    for (std::size_t at = leftovers.find("cgroup "); at != std::string::npos; at = leftovers.find("cgroup ", at + 1))
      ++count;
    return count;
  };
  const auto give_up_at = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (containers_up() < 10 && child.running() && std::chrono::steady_clock::now() < give_up_at) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(child.running()) << "benchrun ended before it was interrupted: " << read_text(err_path);
  ::kill(child.id(), SIGINT);
  child.wait();
  EXPECT_EQ(child.exit_code(), 130) << read_text(err_path);
  const json measured = report();
  EXPECT_FALSE(measured.at("complete").get<bool>());
  EXPECT_GE(measured.at("samples").size(), 2u);
  EXPECT_NE(count_verdict(measured).at("why").get<std::string>().find("stopped: interrupted"), std::string::npos);
}

}  // namespace
}  // namespace benchrun::testing
