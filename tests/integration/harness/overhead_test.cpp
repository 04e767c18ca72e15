// `benchrun --suite overhead` end to end, as root, for real: the workload groups on native, our containers and
// crun with their ratios to native, the disk group on a file of the host's disk bind-mounted into containers
// (and gone after the run), a tmpfs scratch folder refused, a tool missing from the image named, and one of our
// figures checked against an independent tool (perf bench syscall basic) run the same way on this machine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class OverheadSuite : public LeakCheckedTest {
 protected:
  [[nodiscard]] CommandResult run_overhead(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--suite", "overhead", "-q", "--warmup", "0", "--timeout", "120"});
    args.insert(args.end(), {"--out", out_.path().string()});
    if (std::find(args.begin(), args.end(), "--scratch-dir") == args.end())
      args.insert(args.end(), {"--scratch-dir", scratch_.path().string()});
    return run_benchrun(args);
  }
  [[nodiscard]] json report() const {
    EXPECT_EQ(validate_against_schema(out_.path() / "report.json"), "");
    return json::parse(read_text(out_.path() / "report.json"));
  }
  // The summary of one backend x case x metric (there is one start mode: warm).
  static json summary(const json& report, const std::string& backend, const std::string& case_name,
                      const std::string& metric) {
    for (const auto& entry : report.at("summaries")) {
      if (entry.at("backend") == backend && entry.at("case_name") == case_name && entry.at("metric") == metric)
        return entry;
    }
    ADD_FAILURE() << "no summary " << backend << " " << case_name << " " << metric;
    return json::object();
  }

  TempDir out_;
  // The disk group's folder: a temporary folder, which must be on a disk (a tmpfs /tmp fails the first test with
  // the reason).
  TempDir scratch_{"benchrun-overhead-test"};
};

TEST_F(OverheadSuite, NativeContainerAndCrunGiveEveryFigureWithARatioToNativeAndTheDiskFileIsGoneAfter) {
  const auto result = run_overhead({"--backends", "native,container,oci:crun", "--runs", "2", "--groups",
                                    "syscalls,context_switch,process_creation,disk"});
  ASSERT_EQ(result.exit_code, 0) << result.err << result.out;
  const json measured = report();
  std::map<std::string, int> ok_samples;
  for (const auto& sample : measured.at("samples")) {
    EXPECT_TRUE(sample.at("ok").get<bool>()) << sample.dump();
    ++ok_samples[sample.at("backend").get<std::string>() + " " + sample.at("case_name").get<std::string>()];
  }
  EXPECT_EQ(ok_samples.size(), 12u);
  for (const auto& [key, count] : ok_samples) EXPECT_EQ(count, 2) << key;
  const std::vector<std::pair<std::string, std::string>> figures{
      {"syscalls", "syscall_getppid_ns"},      {"syscalls", "syscall_fstat_ns"},
      {"context_switch", "context_switch_ns"}, {"process_creation", "fork_exit_per_s"},
      {"process_creation", "fork_exec_per_s"}, {"disk", "disk_seq_read_mb_s"},
      {"disk", "disk_seq_write_mb_s"},         {"disk", "disk_rand_read_iops"}};
  for (const auto& [case_name, metric] : figures) {
    EXPECT_GT(summary(measured, "native", case_name, metric).at("summary").at("median").get<double>(), 0.0) << metric;
    for (const char* backend : {"container", "oci:crun"}) {
      const json row = summary(measured, backend, case_name, metric);
      EXPECT_GT(row.value("ratio_to_native", 0.0), 0.0) << backend << " " << metric << " " << row.dump();
    }
  }
  // The disk was the host's file, bound into the containers: the workload said where it wrote.
  // The scratch folder is left as it was found: the run's own folder in it is gone.
  EXPECT_TRUE(std::filesystem::is_empty(scratch_.path()));
  const std::string html = read_text(out_.path() / "report.html");
  EXPECT_THAT(html, HasSubstr("Overhead: ratios to native"));
  EXPECT_THAT(html, HasSubstr("Workload group disk: ratio to native"));
}

TEST_F(OverheadSuite, AScratchFolderOnATmpfsIsAFailedSampleNamingTheFix) {
  const auto result = run_overhead(
      {"--backends", "native", "--runs", "1", "--groups", "disk", "--scratch-dir", "/dev/shm/benchrun-overhead-test"});
  const json measured = report();
  ASSERT_EQ(measured.at("samples").size(), 1u) << result.err;
  const json& sample = measured.at("samples").at(0);
  EXPECT_FALSE(sample.at("ok").get<bool>());
  EXPECT_THAT(sample.at("failure").at("message").get<std::string>(), HasSubstr("is a tmpfs"));
  EXPECT_FALSE(std::filesystem::exists("/dev/shm/benchrun-overhead-test")) << "the folder the run made is left";
}

// The CLI checks every case's program against the image before anything runs (harness/image.cpp).
TEST_F(OverheadSuite, AToolTheImageLacksIsRefusedBeforeAnythingRuns) {
  const std::string line = refusal_of({"--suite", "overhead", "--backends", "native", "--tool",
                                       "no-such-tool-here --cpu 1", "--out", out_.path().string()});
  EXPECT_THAT(line, HasSubstr("program '/usr/bin/no-such-tool-here' is not in image 'default'"));
  EXPECT_THAT(line, HasSubstr("--add /usr/bin/no-such-tool-here"));
  EXPECT_FALSE(std::filesystem::exists(out_.path() / "report.json"));
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.at(values.size() / 2);
}

// ns per getppid from `perf bench syscall basic` (perf's own loop of raw getppid calls).
double perf_getppid_ns() {
  const auto result = run_command({"perf", "bench", "syscall", "basic", "--loop", "300000"});
  EXPECT_EQ(result.exit_code, 0) << result.err << "(apt-get install linux-perf: scripts/setup.sh)";
  const auto at = result.out.find("usecs/op");
  if (at == std::string::npos) return 0;
  const auto start = result.out.rfind('\n', at) + 1;
  return std::stod(result.out.substr(start, at - start)) * 1000;
}

// The one figure-against-a-tool check (a benchmark's accuracy, not timing): our native ns per getppid and perf's,
// five of each taken alternately, medians within 25 %. The margin is wide because this 2-core host is shared by
// other builds; bench/overhead-accuracy.sh measures the same pair (and others) with the figures in its note.
TEST_F(OverheadSuite, OurGetppidFigureAgreesWithPerfBenchWithin25Percent) {
  std::vector<double> ours;
  std::vector<double> perf;
  for (int round = 0; round < 5; ++round) {
    const auto result = run_overhead({"--backends", "native", "--runs", "1", "--groups", "syscalls"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    ours.push_back(report().at("samples").at(0).at("metrics").at("syscall_getppid_ns").get<double>());
    perf.push_back(perf_getppid_ns());
  }
  const double ratio = median(ours) / median(perf);
  EXPECT_GT(ratio, 0.75) << "ours " << median(ours) << " ns, perf " << median(perf) << " ns";
  EXPECT_LT(ratio, 1.25) << "ours " << median(ours) << " ns, perf " << median(perf) << " ns";
}

}  // namespace
}  // namespace benchrun::testing
