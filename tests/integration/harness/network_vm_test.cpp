// The network suite with guests, through benchrun, as root, for real (TCG here: slow, so few round trips): a
// guest of image "guest" reaches netpeer through a tap in the peer's namespace and reports round trips, QEMU
// runs in that namespace and no tap ever appears in the host's, and nothing outlives the run, a SIGKILLed one
// included (its QEMU holds the namespace until the next run's sweep removes it). vm+container's container uses
// the guest's NIC. A guest of an image without virtio_net is not measured, with why.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <boost/process.hpp>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "benchrun_process.hpp"
#include "net_processes.hpp"

namespace benchrun::testing {
namespace {

namespace bp = boost::process;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr char tap_name[] = "brtap";

class VmNetworkSuite : public LeakCheckedTest {
 protected:
  void TearDown() override {
    LeakCheckedTest::TearDown();
    EXPECT_THAT(processes_named("netpeer"), ::testing::IsEmpty());
    EXPECT_FALSE(host_has_link(tap_name));
  }
  TempDir out_;
};

TEST_F(VmNetworkSuite, AGuestReachesThePeerThroughATapAndReportsRoundTrips) {
  const auto result = run_benchrun({"--suite", "network", "--backends", "native,vm", "--image", "guest", "--runs", "1",
                                    "--warmup", "0", "--timeout", "600", "--workload",
                                    "netclient rr 192.0.2.1 7300 200", "--out", out_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
  const json report = json::parse(read_text(out_.path() / "report.json"));
  std::map<std::string, double> p50_by_backend;
  for (const auto& sample : report.at("samples")) {
    ASSERT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
    const json& metrics = sample.at("metrics");
    EXPECT_GE(metrics.at("tcp_rr_p99_us").get<double>(), metrics.at("tcp_rr_p50_us").get<double>());
    EXPECT_GT(metrics.at("tcp_rr_transactions_per_s").get<double>(), 0);
    p50_by_backend[sample.at("backend").get<std::string>()] = metrics.at("tcp_rr_p50_us").get<double>();
  }
  ASSERT_EQ(p50_by_backend.size(), 2u) << report.at("samples").dump();
  EXPECT_GT(p50_by_backend.at("vm"), 0);
  EXPECT_GT(p50_by_backend.at("native"), 0);
}

TEST_F(VmNetworkSuite, AContainerInAGuestSharesTheGuestsNicAndReportsRoundTrips) {
  // vm+container boots image "guest" whatever --image says; its inner container shares the guest's network.
  const auto result =
      run_benchrun({"--suite", "network", "--backends", "vm+container", "--runs", "1", "--warmup", "0", "--timeout",
                    "600", "--workload", "netclient rr 192.0.2.1 7300 100", "--out", out_.path().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const json report = json::parse(read_text(out_.path() / "report.json"));
  ASSERT_EQ(report.at("samples").size(), 1u) << result.err;
  const json& sample = report.at("samples").at(0);
  ASSERT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
  EXPECT_EQ(sample.at("backend"), "vm+container");
  EXPECT_GT(sample.at("metrics").at("tcp_rr_p50_us").get<double>(), 0) << sample.dump();
}

TEST_F(VmNetworkSuite, AKilledRunLeavesNoTapInTheHostAndTheNextSweepTakesTheNamespaceWithItsQemu) {
  // Long enough to be caught running (netclient's own 120 s alarm bounds it).
  bp::child child(benchrun_executable().string(),
                  bp::args({"--suite", "network", "--backends", "vm", "--image", "guest", "--runs", "1", "--warmup",
                            "0", "--timeout", "600", "--workload", "netclient rr 192.0.2.1 7300 1000000", "--out",
                            out_.path().string()}),
                  bp::std_out > bp::null, bp::std_err > bp::null);
  // netpeer listening and QEMU started: QEMU runs in the peer's namespace, where the tap is.
  std::map<int, unsigned long long> peers;
  std::map<int, unsigned long long> qemus;
  for (int waited_ms = 0; peers.empty() || qemus.empty(); waited_ms += 50) {
    ASSERT_LT(waited_ms, 120'000) << "netpeer and QEMU never ran together";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    peers = processes_named("netpeer");
    qemus = processes_named("qemu-system-x86");
  }
  ASSERT_EQ(peers.size(), 1u);
  const unsigned long long peer_ns = peers.begin()->second;
  bool qemu_in_peer_ns = false;
  for (const auto& [pid, ns] : qemus) qemu_in_peer_ns = qemu_in_peer_ns || ns == peer_ns;
  EXPECT_TRUE(qemu_in_peer_ns) << "the guest's QEMU is not in the peer's namespace";
  EXPECT_FALSE(host_has_link(tap_name)) << "the tap must never exist in the host's namespace";
  ::kill(child.id(), SIGKILL);
  child.wait();

  // The peer dies with benchrun; the guest's QEMU is a leftover (the embedded driver cannot autodestroy) that
  // holds the namespace and its tap, still none of it in the host's.
  for (int waited_ms = 0; !processes_named("netpeer").empty(); waited_ms += 20) {
    ASSERT_LT(waited_ms, 5'000) << "netpeer outlived its benchrun";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(host_has_link(tap_name));
  EXPECT_THAT(benchrun_leftovers(), HasSubstr("qemu "));
  const auto cleanup = run_benchrun({"cleanup"});
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.err;
  EXPECT_FALSE(live_network_namespaces().contains(peer_ns)) << "the peer's namespace outlived the sweep";
}

TEST_F(VmNetworkSuite, CtrlCDestroysTheGuestAndThePeersNamespaceGoesWithIt) {
  const auto err_path = out_.path() / "stderr";
  bp::child child(benchrun_executable().string(),
                  bp::args({"--suite", "network", "--backends", "vm", "--image", "guest", "--runs", "1", "--warmup",
                            "0", "--timeout", "600", "--workload", "netclient rr 192.0.2.1 7300 1000000", "--out",
                            out_.path().string()}),
                  bp::std_out > bp::null, bp::std_err > err_path.string());
  std::map<int, unsigned long long> peers;
  std::map<int, unsigned long long> qemus;
  for (int waited_ms = 0; peers.empty() || qemus.empty(); waited_ms += 50) {
    ASSERT_LT(waited_ms, 120'000) << "netpeer and QEMU never ran together";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    peers = processes_named("netpeer");
    qemus = processes_named("qemu-system-x86");
  }
  const unsigned long long peer_ns = peers.begin()->second;
  ::kill(child.id(), SIGINT);
  child.wait();
  EXPECT_EQ(child.exit_code(), 130) << read_text(err_path);
  EXPECT_FALSE(live_network_namespaces().contains(peer_ns)) << "the peer's namespace outlived the run";
}

TEST_F(VmNetworkSuite, AGuestWithoutVirtioNetIsNotMeasuredWithWhy) {
  // Image "default" loads no module: its guests have no virtio NIC driver. No guest is booted for it.
  const auto result = run_benchrun({"--suite", "network", "--backends", "vm", "--runs", "1", "--warmup", "0",
                                    "--workload", "netclient rr 192.0.2.1 7300 10", "--out", out_.path().string()});
  const json report = json::parse(read_text(out_.path() / "report.json"));
  EXPECT_THAT(report.at("samples"), ::testing::IsEmpty()) << result.err;
  EXPECT_THAT(report.at("warnings").dump(), HasSubstr("network on vm: not measured: image 'default'"));
  EXPECT_THAT(report.at("warnings").dump(), HasSubstr("--image guest"));
}

}  // namespace
}  // namespace benchrun::testing
