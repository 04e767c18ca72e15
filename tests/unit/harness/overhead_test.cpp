// The overhead suite's pure parts: the cases it builds from its flags (groups, sizes, tools) and the figures
// it reads from a tool's output (stress-ng's metrics lines, fio's JSON), as those tools really print them.
#include "harness/suites/overhead.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "runtime/linux/rootfs.hpp"
#include "sys/error.hpp"

namespace benchrun::harness {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> names_of(const std::vector<reports::Case>& cases) {
  std::vector<std::string> names;
  for (const auto& test_case : cases) names.push_back(test_case.name);
  return names;
}

const reports::Case& case_named(const std::vector<reports::Case>& cases, std::string_view name) {
  const auto found =
      std::find_if(cases.begin(), cases.end(), [&](const reports::Case& test_case) { return test_case.name == name; });
  if (found == cases.end()) throw sys::Error("no case " + std::string(name));
  return *found;
}

TEST(OverheadCases, EveryGroupByDefaultEachRunningTheOverheadWorkloadWithTheLimits) {
  CaseFlags flags;
  flags.limits.memory_bytes = 512ULL << 20;
  const auto cases = overhead_cases(flags);
  EXPECT_THAT(names_of(cases), ElementsAre("cpu", "memory_bandwidth", "memory_latency", "syscalls", "context_switch",
                                           "process_creation", "disk", "network.tcp_rr", "network.tcp_stream"));
  for (const auto& test_case : cases) {
    if (!test_case.name.starts_with("network.")) {
      EXPECT_EQ(test_case.workload, "overhead");
    }
    EXPECT_EQ(test_case.limits.memory_bytes, 512ULL << 20);
  }
  EXPECT_THAT(case_named(cases, "memory_bandwidth").workload_args,
              ElementsAre("stream", "--mib", "32", "--times", "5"));
  EXPECT_THAT(case_named(cases, "disk").workload_args, ElementsAre("disk", "{disk}", "--mib", "64", "--reads", "3000"));
}

TEST(OverheadCases, GroupsPickCasesInTheSuitesOrderAndFullGivesTheUsualSizes) {
  CaseFlags flags;
  flags.overhead.groups = {"syscalls", "memory_bandwidth"};
  flags.overhead.full = true;
  const auto cases = overhead_cases(flags);
  EXPECT_THAT(names_of(cases), ElementsAre("memory_bandwidth", "syscalls"));
  // STREAM's rule: each array at least four times the 32 MiB last-level cache.
  EXPECT_THAT(case_named(cases, "memory_bandwidth").workload_args,
              ElementsAre("stream", "--mib", "128", "--times", "10"));
}

TEST(OverheadCases, DiskSizeSetsTheWorkloadsMib) {
  CaseFlags flags;
  flags.overhead.groups = {"disk"};
  flags.overhead.disk_bytes = 256ULL << 20;
  EXPECT_THAT(overhead_cases(flags).at(0).workload_args,
              ElementsAre("disk", "{disk}", "--mib", "256", "--reads", "3000"));
}

TEST(OverheadCases, AnUnknownGroupIsRefusedNamingTheKnownOnes) {
  CaseFlags flags;
  flags.overhead.groups = {"gpu"};
  try {
    overhead_cases(flags);
    FAIL() << "gpu accepted";
  } catch (const sys::Error& error) {
    EXPECT_THAT(error.what(), ::testing::HasSubstr("unknown group 'gpu'"));
    EXPECT_THAT(error.what(), ::testing::HasSubstr("memory_latency"));
  }
}

TEST(OverheadCases, AToolAloneIsItsOwnCaseRunFromUsrBinUnlessAPathIsGiven) {
  CaseFlags flags;
  flags.overhead.tools = {"stress-ng --cpu 1 --cpu-ops 2000 --metrics-brief", "/opt/fio --name=x"};
  const auto cases = overhead_cases(flags);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].name, "tool:stress-ng --cpu 1 --cpu-ops 2000 --metrics-brief");
  EXPECT_EQ(cases[0].workload, "/usr/bin/stress-ng");
  EXPECT_THAT(cases[0].workload_args, ElementsAre("--cpu", "1", "--cpu-ops", "2000", "--metrics-brief"));
  EXPECT_EQ(cases[1].workload, "/opt/fio");
  flags.overhead.groups = {"cpu"};
  EXPECT_THAT(names_of(overhead_cases(flags)),
              ElementsAre("cpu", "tool:stress-ng --cpu 1 --cpu-ops 2000 --metrics-brief", "tool:/opt/fio --name=x"));
  flags.overhead.tools = {"   "};
  EXPECT_THROW(overhead_cases(flags), sys::Error);
}

// stress-ng 0.15.06 --metrics-brief on this host, on stderr.
TEST(ToolFigures, StressNgMetricsBriefGivesBogoOpsPerSecondOfRealTime) {
  const std::vector<std::string> lines{
      "stress-ng: info:  [22521] setting to a 86400 second (1 day, 0.00 secs) run per stressor",
      "stress-ng: info:  [22521] dispatching hogs: 1 cpu",
      "stress-ng: metrc: [22521] stressor       bogo ops real time  usr time  sys time   bogo ops/s     bogo ops/s",
      "stress-ng: metrc: [22521]                           (secs)    (secs)    (secs)   (real time) (usr+sys time)",
      "stress-ng: metrc: [22521] cpu                2002      5.35      1.23      0.00       374.42        1623.08",
      "stress-ng: info:  [22521] successful run completed in 5.37s"};
  const auto figures = parse_tool_figures(lines);
  ASSERT_EQ(figures.size(), 1u);
  EXPECT_DOUBLE_EQ(figures.at("tool_bogo_ops_per_s"), 374.42);
}

TEST(ToolFigures, FioJsonGivesIopsAndBandwidthSummedOverJobs) {
  const std::vector<std::string> lines{
      "fio-3.33",
      "{",
      "  \"fio version\" : \"fio-3.33\",",
      "  \"jobs\" : [",
      "    {\"jobname\" : \"a\", \"read\" : {\"iops\" : 1000.5, \"bw_bytes\" : 4098048}, \"write\" : {\"iops\" : 0, "
      "\"bw_bytes\" : 0}},",
      "    {\"jobname\" : \"b\", \"read\" : {\"iops\" : 500.0, \"bw_bytes\" : 2048000}, \"write\" : {\"iops\" : 20, "
      "\"bw_bytes\" : 1000000}}",
      "  ]",
      "}"};
  const auto figures = parse_tool_figures(lines);
  EXPECT_DOUBLE_EQ(figures.at("tool_fio_read_iops"), 1500.5);
  EXPECT_DOUBLE_EQ(figures.at("tool_fio_read_mb_s"), 6.146048);
  EXPECT_DOUBLE_EQ(figures.at("tool_fio_write_iops"), 20.0);
  EXPECT_DOUBLE_EQ(figures.at("tool_fio_write_mb_s"), 1.0);
}

TEST(ToolFigures, OutputWithoutFiguresGivesNone) {
  EXPECT_TRUE(parse_tool_figures({"stress-ng: info:  [1] dispatching hogs: 1 cpu", "{", "not json", "}"}).empty());
  EXPECT_TRUE(parse_tool_figures({}).empty());
}

TEST(BindTarget, OneFolderUnderTheRootAndNothingElse) {
  EXPECT_EQ(runtime::kernel::bind_target_name("/scratch"), "scratch");
  for (const char* bad : {"/", "", "/a/b", "/..", "/."}) {
    EXPECT_THROW(runtime::kernel::bind_target_name(bad), sys::Error) << bad;
  }
}

}  // namespace
}  // namespace benchrun::harness
