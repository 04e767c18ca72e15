// benchinit, the image's init, run natively as a plain child process: the protocol every backend relies on
// (READY, then one RESULT line with the workload's figures, then the workload's exit status), signal
// forwarding, reaping of orphans, and the workloads' own behaviour.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "protocol/workload_protocol.hpp"
#include "tests/integration/image/image_location.hpp"
#include "tests/integration/image/pids_cgroup.hpp"
#include "tests/integration/image/spawned_process.hpp"

namespace benchrun::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::string_view ready_line = protocol::ready_line;
constexpr std::string_view result_prefix = protocol::result_prefix;

// What one benchinit run produced, with the protocol already checked.
struct BenchinitRun {
  int wait_status = 0;
  std::vector<OutputLine> lines;            // all of stdout
  std::vector<std::string> workload_lines;  // stdout between READY and RESULT
  std::string stderr_text;
  nlohmann::json result;       // the RESULT object
  std::string protocol_error;  // empty when READY/RESULT were as the protocol says
};

// Checks READY first, exactly one RESULT last, arrival order, and the RESULT fields and their types.
std::string check_protocol(BenchinitRun& run) {
  if (run.lines.empty() || run.lines.front().text != ready_line) return "first stdout line is not BENCHRUN READY";
  if (run.lines.size() < 2 || run.lines.back().text.rfind(result_prefix, 0) != 0) {
    return "last stdout line is not BENCHRUN RESULT";
  }
  for (size_t i = 1; i + 1 < run.lines.size(); ++i) {
    const std::string& text = run.lines[i].text;
    if (text == ready_line || text.rfind(result_prefix, 0) == 0) return "protocol line in the middle: " + text;
    run.workload_lines.push_back(text);
  }
  if (run.lines.front().arrived_ns > run.lines.back().arrived_ns) return "RESULT arrived before READY";
  try {
    run.result = nlohmann::json::parse(run.lines.back().text.substr(result_prefix.size()));
  } catch (const nlohmann::json::exception& error) {
    return std::string("RESULT is not JSON: ") + error.what();
  }
  for (const char* key : {"wall_ns", "user_us", "sys_us", "max_rss_kb"}) {
    if (!run.result.contains(key) || !run.result[key].is_number_integer()) return std::string("RESULT.") + key;
  }
  for (const char* key : {"exit_code", "signal"}) {
    if (!run.result.contains(key) || !(run.result[key].is_null() || run.result[key].is_number_integer())) {
      return std::string("RESULT.") + key;
    }
  }
  if (run.result["exit_code"].is_null() == run.result["signal"].is_null()) {
    return "RESULT needs exactly one of exit_code and signal";
  }
  if (!run.result.contains("metrics") || !run.result["metrics"].is_array()) return "RESULT.metrics";
  return "";
}

class BenchinitProtocol : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(rootfs() / "sbin" / "benchinit"))
        << image_missing_hint << " (looked in " << image_dir() << ")";
  }

  static fs::path rootfs() { return image_dir() / "rootfs"; }
  static std::string workload(const std::string& name) { return (rootfs() / "bench" / "bin" / name).string(); }
  static std::string busybox() { return (rootfs() / "bin" / "busybox").string(); }

  static std::vector<std::string> benchinit_argv(const std::vector<std::string>& workload_argv) {
    std::vector<std::string> argv{(rootfs() / "sbin" / "benchinit").string()};
    argv.insert(argv.end(), workload_argv.begin(), workload_argv.end());
    return argv;
  }

  static BenchinitRun finish(SpawnedProcess& process, std::chrono::milliseconds timeout = 30s) {
    BenchinitRun run;
    run.wait_status = process.finish(timeout);
    run.lines = process.stdout_lines();
    run.stderr_text = process.stderr_text();
    run.protocol_error = check_protocol(run);
    return run;
  }

  static BenchinitRun run(const std::vector<std::string>& workload_argv, const std::function<void()>& in_child = {}) {
    SpawnedProcess process = SpawnedProcess::start(benchinit_argv(workload_argv), in_child);
    return finish(process);
  }
};

int exit_status(int wait_status) { return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1; }

TEST_F(BenchinitProtocol, HelloPrintsReadyThenResultWithExitCodeZero) {
  BenchinitRun hello = run({workload("hello")});
  ASSERT_EQ(hello.protocol_error, "") << hello.stderr_text;
  EXPECT_EQ(hello.result["exit_code"], 0);
  EXPECT_TRUE(hello.result["signal"].is_null());
  EXPECT_GT(hello.result["wall_ns"].get<long long>(), 0);
  EXPECT_GT(hello.result["max_rss_kb"].get<long long>(), 0);
  EXPECT_EQ(exit_status(hello.wait_status), 0);
}

TEST_F(BenchinitProtocol, LeadingDoubleDashIsSkipped) {
  BenchinitRun hello = run({"--", workload("hello")});
  ASSERT_EQ(hello.protocol_error, "") << hello.stderr_text;
  EXPECT_EQ(hello.result["exit_code"], 0);
}

TEST_F(BenchinitProtocol, QuietLeavesStdoutAndStderrToTheWorkload) {
  SpawnedProcess process = SpawnedProcess::start(benchinit_argv({"--quiet", "--", workload("hello")}));
  const int wait_status = process.finish(30s);
  ASSERT_EQ(process.stdout_lines().size(), 1U) << process.stderr_text();
  EXPECT_EQ(process.stdout_lines()[0].text, "hello from benchrun");
  EXPECT_EQ(process.stderr_text(), "");
  EXPECT_EQ(exit_status(wait_status), 0);
}

TEST_F(BenchinitProtocol, ProtocolFdTwoPutsReadyAndResultOnStderr) {
  SpawnedProcess process =
      SpawnedProcess::start(benchinit_argv({"--protocol-fd", "2", busybox(), "sh", "-c", "exit 6"}));
  const int wait_status = process.finish(30s);
  EXPECT_TRUE(process.stdout_lines().empty());
  EXPECT_EQ(process.stderr_text().rfind("BENCHRUN READY\nBENCHRUN RESULT {\"exit_code\":6,", 0), 0U)
      << process.stderr_text();
  EXPECT_EQ(exit_status(wait_status), 6);
}

TEST_F(BenchinitProtocol, UnknownOptionOrBadProtocolFdIsUsageAndExitCodeTwo) {
  for (const std::vector<std::string>& options :
       {std::vector<std::string>{"--loud"}, std::vector<std::string>{"--protocol-fd", "stdout"}}) {
    std::vector<std::string> argv = options;
    argv.push_back(workload("hello"));
    BenchinitRun bad = run(argv);
    EXPECT_TRUE(bad.lines.empty()) << options[0];
    EXPECT_NE(bad.stderr_text.find("usage: benchinit"), std::string::npos) << bad.stderr_text;
    EXPECT_EQ(exit_status(bad.wait_status), 2) << options[0];
  }
}

TEST_F(BenchinitProtocol, ExitsWithTheWorkloadsExitCode) {
  BenchinitRun three = run({busybox(), "sh", "-c", "exit 3"});
  ASSERT_EQ(three.protocol_error, "") << three.stderr_text;
  EXPECT_EQ(three.result["exit_code"], 3);
  EXPECT_EQ(exit_status(three.wait_status), 3);
}

TEST_F(BenchinitProtocol, SpinRunsAtLeastItsWallTimeOnTheCpu) {
  BenchinitRun spin = run({workload("spin"), "200"});
  ASSERT_EQ(spin.protocol_error, "") << spin.stderr_text;
  EXPECT_EQ(spin.result["exit_code"], 0);
  long long wall_ns = spin.result["wall_ns"];
  EXPECT_GE(wall_ns, 200'000'000);
  long long cpu_us = spin.result["user_us"].get<long long>() + spin.result["sys_us"].get<long long>();
  EXPECT_GT(cpu_us, 0);
  // One thread cannot use more CPU than wall time; 10 ms for the tick granularity of rusage.
  EXPECT_LE(cpu_us, wall_ns / 1000 + 10'000);
  ASSERT_EQ(spin.workload_lines.size(), 1U);
  long long iterations = 0;
  long long reported_ms = 0;
  ASSERT_EQ(std::sscanf(spin.workload_lines[0].c_str(), "spin: %lld iterations in %lld ms", &iterations, &reported_ms),
            2)
      << spin.workload_lines[0];
  EXPECT_GT(iterations, 0);
  EXPECT_GE(reported_ms, 200);
}

TEST_F(BenchinitProtocol, SpinReportsItsRateAsAWorkloadMetric) {
  BenchinitRun spin = run({workload("spin"), "50"});
  ASSERT_EQ(spin.protocol_error, "") << spin.stderr_text;
  ASSERT_EQ(spin.result["metrics"].size(), 1U) << spin.result.dump() << spin.stderr_text;
  const nlohmann::json& rate = spin.result["metrics"][0];
  EXPECT_EQ(rate["name"], "spin_rate");
  EXPECT_EQ(rate["unit"], "iterations/s");
  EXPECT_EQ(rate["better"], "higher");
  EXPECT_GT(rate["value"].get<double>(), 0.0);
  EXPECT_EQ(spin.stderr_text, "");
}

TEST_F(BenchinitProtocol, MalformedMetricLinesAreDroppedWithANoteAndResultStaysValid) {
  const std::string lines =
      "good 1.5 ops/s higher\n"  // forwarded
      "\n"                       // blank: ignored without a note
      "Capital 1 ops/s higher\n"
      "not_finite inf ops/s lower\n"
      "three words only\n"
      "quote 1 a\"b lower\n"
      "sideways 1 ops/s up\n"
      "good 2 ops/s higher\n"  // the same name again
      "last_line_without_newline 7 ms lower";
  BenchinitRun metrics = run({busybox(), "sh", "-c", "printf '%s' \"$0\" >&$BENCHRUN_METRICS_FD", lines});
  ASSERT_EQ(metrics.protocol_error, "") << metrics.stderr_text;
  EXPECT_EQ(metrics.result["metrics"],
            nlohmann::json::parse(R"([{"name":"good","value":1.5,"unit":"ops/s","better":"higher"},)"
                                  R"({"name":"last_line_without_newline","value":7,"unit":"ms","better":"lower"}])"));
  for (int dropped : {3, 4, 5, 6, 7, 8}) {
    EXPECT_NE(metrics.stderr_text.find("workload metric line " + std::to_string(dropped) + " dropped"),
              std::string::npos)
        << "line " << dropped << ": " << metrics.stderr_text;
  }
  EXPECT_EQ(metrics.stderr_text.find("line 2 "), std::string::npos) << metrics.stderr_text;
}

TEST_F(BenchinitProtocol, QuietGivesTheWorkloadNoMetricsChannel) {
  // Even a number inherited from outside is taken away: it could name the workload's own stdout.
  SpawnedProcess process =
      SpawnedProcess::start(benchinit_argv({"--quiet", busybox(), "sh", "-c", "echo \"${BENCHRUN_METRICS_FD-none}\""}),
                            [] { setenv(protocol::metrics_fd_env, "1", 1); });
  EXPECT_EQ(exit_status(process.finish(30s)), 0);
  ASSERT_EQ(process.stdout_lines().size(), 1U);
  EXPECT_EQ(process.stdout_lines()[0].text, "none");
}

TEST_F(BenchinitProtocol, HogIsResidentForAllItAllocated) {
  BenchinitRun hog = run({workload("hog"), "32"});
  ASSERT_EQ(hog.protocol_error, "") << hog.stderr_text;
  EXPECT_EQ(hog.result["exit_code"], 0);
  EXPECT_GE(hog.result["max_rss_kb"].get<long long>(), 32 * 1024);
  ASSERT_EQ(hog.workload_lines.size(), 1U);
  EXPECT_EQ(hog.workload_lines[0].rfind("hog: touched 32 MiB", 0), 0U) << hog.workload_lines[0];
}

TEST_F(BenchinitProtocol, ForkerStartsEveryChildWithoutALimit) {
  BenchinitRun forker = run({workload("forker"), "5"});
  ASSERT_EQ(forker.protocol_error, "") << forker.stderr_text;
  EXPECT_EQ(forker.workload_lines, std::vector<std::string>{"forker: 5 of 5 children started"});
  EXPECT_EQ(forker.result["exit_code"], 0);
}

TEST_F(BenchinitProtocol, ForkerStopsAtPidsMaxAndExitsOne) {
  // benchinit and forker are two of the four pids: two children fit.
  PidsCgroup cgroup(4);
  BenchinitRun forker = run({workload("forker"), "5"}, [&cgroup] {
    if (!cgroup.join_from_child()) _exit(126);
  });
  ASSERT_EQ(forker.protocol_error, "") << forker.stderr_text;
  EXPECT_EQ(forker.workload_lines, std::vector<std::string>{"forker: 2 of 5 children started"});
  EXPECT_EQ(forker.result["exit_code"], 1);
  EXPECT_EQ(exit_status(forker.wait_status), 1);
  EXPECT_NE(forker.stderr_text.find("forker: fork:"), std::string::npos) << forker.stderr_text;
}

TEST_F(BenchinitProtocol, ExecFailureIsExitCode127WithTheReasonOnStderr) {
  BenchinitRun missing = run({"/nonexistent/benchrun-workload"});
  ASSERT_EQ(missing.protocol_error, "") << missing.stderr_text;
  EXPECT_EQ(missing.result["exit_code"], 127);
  EXPECT_EQ(exit_status(missing.wait_status), 127);
  EXPECT_NE(missing.stderr_text.find("exec /nonexistent/benchrun-workload: ENOENT"), std::string::npos)
      << missing.stderr_text;
}

TEST_F(BenchinitProtocol, WorkloadKilledBySignalReportsSignalAnd128PlusSignal) {
  BenchinitRun killed = run({busybox(), "sh", "-c", "kill -KILL $$"});
  ASSERT_EQ(killed.protocol_error, "") << killed.stderr_text;
  EXPECT_TRUE(killed.result["exit_code"].is_null());
  EXPECT_EQ(killed.result["signal"], SIGKILL);
  EXPECT_EQ(exit_status(killed.wait_status), 128 + SIGKILL);
}

TEST_F(BenchinitProtocol, ForwardsSigtermToTheWorkload) {
  SpawnedProcess process = SpawnedProcess::start(benchinit_argv({workload("spin"), "20000"}));
  ASSERT_TRUE(process.wait_for_line(ready_line, 10s)) << process.stderr_text();
  ASSERT_EQ(kill(process.pid(), SIGTERM), 0);
  BenchinitRun terminated = finish(process, 10s);
  ASSERT_EQ(terminated.protocol_error, "") << terminated.stderr_text;
  EXPECT_TRUE(terminated.result["exit_code"].is_null());
  EXPECT_EQ(terminated.result["signal"], SIGTERM);
  EXPECT_LT(terminated.result["wall_ns"].get<long long>(), 20'000'000'000LL);
  EXPECT_EQ(exit_status(terminated.wait_status), 128 + SIGTERM);
}

TEST_F(BenchinitProtocol, EndsAndReapsOrphansTheWorkloadLeftBehind) {
  // The shell exits at once, leaving a 30 s sleep behind: benchinit (the subreaper) must end it.
  SpawnedProcess process = SpawnedProcess::start(benchinit_argv({busybox(), "sh", "-c", "sleep 30 & echo $!"}));
  BenchinitRun orphaned = finish(process, 10s);
  ASSERT_EQ(orphaned.protocol_error, "") << orphaned.stderr_text;
  EXPECT_EQ(orphaned.result["exit_code"], 0);
  ASSERT_EQ(orphaned.workload_lines.size(), 1U);
  pid_t orphan = std::stoi(orphaned.workload_lines[0]);
  EXPECT_EQ(kill(orphan, 0), -1) << "orphan " << orphan << " still exists";
  EXPECT_EQ(errno, ESRCH);
}

TEST_F(BenchinitProtocol, RunsAsPidOneOfAPidNamespaceWithoutWaitingForLeftovers) {
  // As in a container: benchinit is PID 1 (unshare --pid --fork), the workload is PID 2, it leaves a
  // 30 s sleep behind and exits 4; the run ends at once with the workload's status.
  SpawnedProcess process = SpawnedProcess::start({"/usr/bin/unshare", "--pid", "--fork", "--kill-child",
                                                  (rootfs() / "sbin" / "benchinit").string(), busybox(), "sh", "-c",
                                                  "sleep 30 & echo $$; exit 4"});
  BenchinitRun as_pid_one = finish(process, 10s);
  ASSERT_EQ(as_pid_one.protocol_error, "") << as_pid_one.stderr_text;
  EXPECT_EQ(as_pid_one.workload_lines, std::vector<std::string>{"2"});
  EXPECT_EQ(as_pid_one.result["exit_code"], 4);
  EXPECT_EQ(exit_status(as_pid_one.wait_status), 4);
}

TEST_F(BenchinitProtocol, BadWorkloadArgumentIsUsageAndExitCodeTwo) {
  for (const char* name : {"spin", "hog", "forker"}) {
    BenchinitRun bad = run({workload(name), "lots"});
    ASSERT_EQ(bad.protocol_error, "") << name << ": " << bad.stderr_text;
    EXPECT_EQ(bad.result["exit_code"], 2) << name;
    EXPECT_EQ(bad.stderr_text.rfind(std::string("usage: ") + name, 0), 0U) << bad.stderr_text;
  }
}

TEST_F(BenchinitProtocol, WithoutAWorkloadPrintsUsageOnlyAndExitsTwo) {
  BenchinitRun none = run({});
  EXPECT_TRUE(none.lines.empty());
  EXPECT_EQ(none.stderr_text.rfind("usage: benchinit", 0), 0U) << none.stderr_text;
  EXPECT_EQ(exit_status(none.wait_status), 2);
}

TEST_F(BenchinitProtocol, InsideTheBareRootfsMountsProcDevAndSys) {
  // A private mount namespace chrooted into the rootfs, as a guest sees it: nothing mounted, no host
  // libraries. Everything benchinit mounts goes away with the namespace.
  std::string rootfs_path = rootfs().string();
  std::vector<std::string> argv = {"/sbin/benchinit", "/bin/sh", "-c",
                                   "test -e /proc/self && test -e /dev/null && test -d /sys/kernel"};
  SpawnedProcess process = SpawnedProcess::start(argv, [&rootfs_path] {
    if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        chroot(rootfs_path.c_str()) != 0 || chdir("/") != 0) {
      perror("enter rootfs");
      _exit(126);
    }
  });
  BenchinitRun inside = finish(process);
  ASSERT_EQ(inside.protocol_error, "") << inside.stderr_text;
  EXPECT_EQ(inside.result["exit_code"], 0) << inside.stderr_text;
  EXPECT_EQ(inside.stderr_text, "");
}

}  // namespace
}  // namespace benchrun::testing
