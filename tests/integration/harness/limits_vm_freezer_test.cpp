// `benchrun --suite limits --backends vm --cases freezer` end to end, as root, with real QEMU and libvirt (TCG
// here): the guest is paused with virDomainSuspend and resumed, judged from libvirt's state, QEMU's threads and the
// ticker's lines as the host received them; --limits-off (no pause: the ticks keep coming) fails all three. A run
// stopped while its guest is paused destroys it (Ctrl-C), and a paused guest a killed run left is removed by the
// next sweep (`benchrun cleanup`).
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/process.hpp>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "benchrun_process.hpp"
#include "report_verdicts.hpp"

namespace benchrun::testing {
namespace {

namespace bp = boost::process;
using nlohmann::json;
using ::testing::HasSubstr;

const std::vector<std::string> verdict_names = {"freezer.no_progress", "freezer.gap_seen", "freezer.resumed_intact"};

// The pid of the one benchrun guest's QEMU running now (benchrun_leftovers' "qemu <pid>" line), or 0.
int guest_qemu_pid() {
  const std::string leftovers = benchrun_leftovers();
  const std::size_t at = leftovers.find("qemu ");
  return at == std::string::npos ? 0 : std::stoi(leftovers.substr(at + 5));
}

// The CPU time (schedstat, ns) of QEMU `pid`'s vCPU threads (0 before QEMU made them); nullopt once it is gone.
std::optional<std::uint64_t> vcpu_time_ns(int pid) {
  std::error_code error;
  std::filesystem::directory_iterator tasks("/proc/" + std::to_string(pid) + "/task", error);
  if (error) return std::nullopt;
  std::uint64_t total = 0;
  for (const auto& task : tasks) {
    std::ifstream comm_file(task.path() / "comm");
    std::string comm;
    if (!std::getline(comm_file, comm) || !comm.starts_with("CPU ")) continue;
    std::ifstream schedstat(task.path() / "schedstat");
    std::uint64_t ran = 0;
    if (schedstat >> ran) total += ran;
  }
  return total;
}

// Stops a benchrun child the test started with SIGINT (its own teardown runs) when the test ends early.
class StopOnExit {
 public:
  explicit StopOnExit(bp::child& child) : child_(child) {}
  StopOnExit(const StopOnExit&) = delete;
  StopOnExit& operator=(const StopOnExit&) = delete;
  ~StopOnExit() {
    if (!child_.running()) return;
    ::kill(child_.id(), SIGINT);
    child_.wait();
  }

 private:
  bp::child& child_;
};

// Waits until the guest of a run is paused: its vCPU ran (booted, the ticker spinning: a TCG vCPU running the
// ticker never idles) and then stood still for 600 ms. Returns QEMU's pid.
int wait_until_paused(std::chrono::milliseconds patience) {
  constexpr int poll_ms = 50;
  constexpr int still_for_ms = 600;
  int pid = 0;
  std::optional<std::uint64_t> last;
  int still_ms = 0;
  for (int waited_ms = 0;; waited_ms += poll_ms) {
    if (waited_ms > patience.count()) {
      ADD_FAILURE() << "the guest was never seen paused";
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(poll_ms));
    if (pid == 0) pid = guest_qemu_pid();
    if (pid == 0) continue;
    const auto now = vcpu_time_ns(pid);
    if (!now) {
      ADD_FAILURE() << "QEMU went before its guest was seen paused";
      return 0;
    }
    still_ms = last && *now == *last && *now > 0 ? still_ms + poll_ms : 0;
    last = now;
    if (still_ms >= still_for_ms) return pid;
  }
}

// The domain name of QEMU `pid` (its "-name guest=<name>,..." argument).
std::string guest_name_of(int pid) {
  std::string command_line = read_text("/proc/" + std::to_string(pid) + "/cmdline");
  std::replace(command_line.begin(), command_line.end(), '\0', ' ');
  const std::size_t at = command_line.find("guest=");
  if (at == std::string::npos) return "";
  return command_line.substr(at + 6, command_line.find_first_of(", ", at) - at - 6);
}

// The cgroups libvirt's embedded driver made for guest `name` still there, in any hierarchy.
std::string libvirt_cgroups_of(const std::string& name) {
  std::string found;
  std::error_code ignored;
  for (const auto& hierarchy : std::filesystem::directory_iterator("/sys/fs/cgroup", ignored)) {
    for (const auto& entry : std::filesystem::directory_iterator(hierarchy.path() / "machine", ignored)) {
      if (entry.path().filename().string().ends_with("-" + name + ".libvirt-qemu"))
        found += entry.path().string() + "\n";
    }
  }
  return found;
}

class LimitsVmFreezer : public LeakCheckedTest {
 protected:
  [[nodiscard]] std::map<std::string, json> run_freezer(const std::vector<std::string>& extra, int expected_exit) {
    std::vector<std::string> args{"--suite", "limits", "--backends",        "vm", "--cases", "freezer",
                                  "-q",      "--out",  out_.path().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run_benchrun(args);
    EXPECT_EQ(result.exit_code, expected_exit) << result.err << result.out;
    return verdicts_of(read_report(out_.path()), "vm");
  }

  TempDir out_;
};

TEST_F(LimitsVmFreezer, APausedGuestMakesNoProgressAndResumesIntact) {
  const auto verdicts = run_freezer({}, 0);
  for (const auto& name : verdict_names) {
    ASSERT_TRUE(verdicts.contains(name)) << name;
    EXPECT_TRUE(verdicts.at(name).at("pass").get<bool>()) << verdicts.at(name).dump();
    EXPECT_FALSE(verdicts.at(name).at("measured").is_null()) << verdicts.at(name).dump();
  }
  EXPECT_THAT(verdicts.at("freezer.no_progress").at("why").get<std::string>(),
              HasSubstr("libvirt read the domain paused at both ends"));
  // The host-stamped gap holds the window, less the slack for ticks in flight.
  EXPECT_GE(verdicts.at("freezer.gap_seen").at("measured").get<double>(), 2000.0 - 250.0);
  EXPECT_THAT(verdicts.at("freezer.resumed_intact").at("why").get<std::string>(), HasSubstr("none lost"));
}

TEST_F(LimitsVmFreezer, WithoutTheSuspendTheTicksKeepComingAndAllThreeFail) {
  const auto verdicts = run_freezer({"--limits-off", "freezer"}, 1);
  for (const auto& name : verdict_names) {
    ASSERT_TRUE(verdicts.contains(name)) << name;
    EXPECT_FALSE(verdicts.at(name).at("pass").get<bool>()) << verdicts.at(name).dump();
    EXPECT_THAT(verdicts.at(name).at("why").get<std::string>(), HasSubstr("--limits-off"));
  }
  EXPECT_THAT(verdicts.at("freezer.no_progress").at("why").get<std::string>(),
              HasSubstr("libvirt read the domain running at the start"));
  EXPECT_THAT(verdicts.at("freezer.gap_seen").at("why").get<std::string>(), HasSubstr("ticks arrived in the"));
}

TEST_F(LimitsVmFreezer, CtrlCWhileTheGuestIsPausedDestroysIt) {
  const auto err_path = out_.path() / "stderr";
  bp::child child(
      benchrun_executable().string(),
      bp::args({"--suite", "limits", "--backends", "vm", "--cases", "freezer", "-q", "--out", out_.path().string()}),
      bp::std_out > bp::null, bp::std_err > err_path.string());
  ASSERT_NE(wait_until_paused(std::chrono::seconds(120)), 0);
  ::kill(child.id(), SIGINT);
  child.wait();
  EXPECT_EQ(child.exit_code(), 130) << read_text(err_path);
  // LeakCheckedTest: no QEMU, run folder or cgroup of the guest is left.
}

TEST_F(LimitsVmFreezer, APausedGuestOfAKilledRunIsRemovedByTheNextSweep) {
  bp::child child(
      benchrun_executable().string(),
      bp::args({"--suite", "limits", "--backends", "vm", "--cases", "freezer", "-q", "--out", out_.path().string()}),
      bp::std_out > bp::null, bp::std_err > bp::null);
  const int qemu = wait_until_paused(std::chrono::seconds(120));
  ASSERT_NE(qemu, 0);
  const std::string name = guest_name_of(qemu);
  ASSERT_THAT(name, ::testing::StartsWith("benchrun-"));
  ::kill(child.id(), SIGKILL);
  child.wait();
  // The embedded driver cannot autodestroy: the paused guest outlives its run, and stays paused.
  const auto before = vcpu_time_ns(qemu);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(before.has_value()) << "the paused guest went with its run";
  EXPECT_EQ(vcpu_time_ns(qemu), before) << "the leftover guest runs";
  const auto cleanup = run_benchrun({"cleanup"});
  EXPECT_EQ(cleanup.exit_code, 0) << cleanup.err;
  EXPECT_EQ(guest_qemu_pid(), 0) << benchrun_leftovers();
  // The cgroups libvirt made for it (the limits suite's connection makes them; cleanup's does not) go too.
  EXPECT_EQ(libvirt_cgroups_of(name), "");
}

}  // namespace
}  // namespace benchrun::testing
