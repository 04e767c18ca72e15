// The network suite through benchrun, as root, for real: native and container clients talk to netpeer over a
// veth between namespaces benchrun made, and nothing of it outlives the run, even a SIGKILLed one.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/process.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "benchrun_process.hpp"
#include "net_processes.hpp"

namespace benchrun::testing {
namespace {

namespace bp = boost::process;
using nlohmann::json;

class NetworkSuite : public LeakCheckedTest {
 protected:
  void TearDown() override {
    LeakCheckedTest::TearDown();
    EXPECT_THAT(processes_named("netpeer"), ::testing::IsEmpty());
    EXPECT_THAT(processes_named("netclient"), ::testing::IsEmpty());
  }
  TempDir out_;
};

TEST_F(NetworkSuite, NativeAndContainerReportRoundTripLatencyAndStreamThroughput) {
  const auto result = run_benchrun({"--suite", "network", "--backends", "native,container", "--runs", "1", "--warmup",
                                    "0", "--out", out_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
  const json report = json::parse(read_text(out_.path() / "report.json"));
  std::map<std::string, int> measured;
  for (const auto& sample : report.at("samples")) {
    ASSERT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
    const auto test_case = sample.at("case_name").get<std::string>();
    ++measured[sample.at("backend").get<std::string>() + " " + test_case];
    const json& metrics = sample.at("metrics");
    if (test_case == "network.tcp_rr") {
      EXPECT_GT(metrics.at("tcp_rr_p50_us").get<double>(), 0) << sample.dump();
      EXPECT_GE(metrics.at("tcp_rr_p99_us").get<double>(), metrics.at("tcp_rr_p50_us").get<double>());
      EXPECT_GT(metrics.at("tcp_rr_transactions_per_s").get<double>(), 0);
    } else {
      EXPECT_EQ(test_case, "network.tcp_stream");
      EXPECT_GT(metrics.at("tcp_stream_mb_per_s").get<double>(), 0) << sample.dump();
    }
  }
  EXPECT_EQ(measured, (std::map<std::string, int>{{"native network.tcp_rr", 1},
                                                  {"native network.tcp_stream", 1},
                                                  {"container network.tcp_rr", 1},
                                                  {"container network.tcp_stream", 1}}));
}

TEST_F(NetworkSuite, AKilledRunLeavesNoNamespaceAndTheNextRunSweepsItsInstance) {
  // Long enough to be caught running: a million round trips (bounded by netclient's 120 s alarm).
  bp::child child(benchrun_executable().string(),
                  bp::args({"--suite", "network", "--backends", "container", "--runs", "1", "--warmup", "0",
                            "--workload", "netclient rr 192.0.2.1 7300 1000000", "--out", out_.path().string()}),
                  bp::std_out > bp::null, bp::std_err > bp::null);
  std::map<int, unsigned long long> peers;
  std::map<int, unsigned long long> clients;
  for (int waited_ms = 0; peers.empty() || clients.empty(); waited_ms += 20) {
    ASSERT_LT(waited_ms, 30'000) << "netpeer and netclient never ran together";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    peers = processes_named("netpeer");
    clients = processes_named("netclient");
  }
  ASSERT_EQ(peers.size(), 1u);
  ASSERT_EQ(clients.size(), 1u);
  const unsigned long long peer_ns = peers.begin()->second;
  const unsigned long long instance_ns = clients.begin()->second;
  EXPECT_NE(peer_ns, instance_ns);
  ::kill(child.id(), SIGKILL);
  child.wait();

  // The peer dies with benchrun (PR_SET_PDEATHSIG), and its namespace with it.
  for (int waited_ms = 0; !processes_named("netpeer").empty(); waited_ms += 20) {
    ASSERT_LT(waited_ms, 5'000) << "netpeer outlived its benchrun";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(live_network_namespaces().contains(peer_ns));
  // The container is a leftover like any other: the next run sweeps it, and its namespace goes with it.
  ASSERT_NE(benchrun_leftovers(), "");
  TempDir next_out;
  const auto next = run_benchrun({"--suite", "network", "--backends", "container", "--runs", "1", "--warmup", "0",
                                  "--workload", "netclient rr 192.0.2.1 7300 10", "--out", next_out.path().string()});
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_FALSE(live_network_namespaces().contains(instance_ns));
}

TEST_F(NetworkSuite, CtrlCRemovesThePeerAndBothNamespaces) {
  const auto err_path = out_.path() / "stderr";
  bp::child child(benchrun_executable().string(),
                  bp::args({"--suite", "network", "--backends", "native", "--runs", "1", "--warmup", "0", "--workload",
                            "netclient rr 192.0.2.1 7300 1000000", "--out", out_.path().string()}),
                  bp::std_out > bp::null, bp::std_err > err_path.string());
  std::map<int, unsigned long long> peers;
  std::map<int, unsigned long long> clients;
  for (int waited_ms = 0; peers.empty() || clients.empty(); waited_ms += 20) {
    ASSERT_LT(waited_ms, 30'000) << "netpeer and netclient never ran together";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    peers = processes_named("netpeer");
    clients = processes_named("netclient");
  }
  ::kill(child.id(), SIGINT);
  child.wait();
  EXPECT_EQ(child.exit_code(), 130) << read_text(err_path);
  const auto live = live_network_namespaces();
  EXPECT_FALSE(live.contains(peers.begin()->second));
  EXPECT_FALSE(live.contains(clients.begin()->second));
}

TEST_F(NetworkSuite, APeerThatCannotStartIsAFailedSampleAndLeavesNothing) {
  // 192.0.2.9 is no address of the peer's namespace: netpeer cannot bind it, and the client never starts.
  const auto result =
      run_benchrun({"--suite", "network", "--backends", "native,container", "--runs", "1", "--warmup", "0",
                    "--workload", "netclient rr 192.0.2.9 7300 10", "--out", out_.path().string()});
  const json report = json::parse(read_text(out_.path() / "report.json"));
  ASSERT_EQ(report.at("samples").size(), 2u) << result.err;
  for (const auto& sample : report.at("samples")) {
    EXPECT_FALSE(sample.at("ok").get<bool>());
    EXPECT_THAT(sample.at("failure").dump(), ::testing::HasSubstr("netpeer did not start")) << sample.dump();
  }
}

TEST_F(NetworkSuite, CrunAndRuncJoinThePreparedNamespaceByPath) {
  const auto result =
      run_benchrun({"--suite", "network", "--backends", "oci:crun,oci:runc", "--runs", "1", "--warmup", "0",
                    "--workload", "netclient rr 192.0.2.1 7300 200", "--out", out_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const json report = json::parse(read_text(out_.path() / "report.json"));
  std::set<std::string> measured;
  for (const auto& sample : report.at("samples")) {
    ASSERT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
    EXPECT_GT(sample.at("metrics").at("tcp_rr_p50_us").get<double>(), 0) << sample.dump();
    measured.insert(sample.at("backend").get<std::string>());
  }
  EXPECT_EQ(measured, (std::set<std::string>{"oci:crun", "oci:runc"}));
}

TEST_F(NetworkSuite, TheClientRefusesAnyAddressOutsideBenchrunsRange) {
  // In the host's namespace, through `benchrun run`: refused before a socket exists, with the usage status.
  const auto result = run_benchrun({"run", "--", "netclient", "rr", "10.0.0.1", "7300", "10"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_THAT(result.out + result.err, ::testing::HasSubstr("ADDRESS in 192.0.2.0/24"));
}

}  // namespace
}  // namespace benchrun::testing
