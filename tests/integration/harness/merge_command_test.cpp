// `benchrun merge A.json B.json --out DIR` as a fleet's last CI job calls it: two real runs become one report that
// `benchrun report` and `benchrun compare` read; bad input is one line, exit 2, and leaves DIR as it was.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "benchrun_process.hpp"
#include "reports/report_file.hpp"

namespace benchrun::testing {
namespace {

using nlohmann::json;

class MergeOfRealRuns : public LeakCheckedTest {
 protected:
  // A quick real startup run into dir_/<name>; its report.json.
  std::filesystem::path measure(const std::string& name) {
    const auto out = dir_.path() / name;
    const auto result = run_benchrun({"--suite", "startup", "--backends", "native,container", "--start", "cold",
                                      "--runs", "3", "--warmup", "0", "--quiet", "--out", out.string()});
    EXPECT_EQ(result.exit_code, 0) << result.err << result.out;
    return out / "report.json";
  }

  TempDir dir_;
};

TEST_F(MergeOfRealRuns, TwoRunsMergeIntoOneReportThatReportAndCompareRead) {
  const auto first = measure("east");
  const auto second = measure("west");
  const auto merged_dir = dir_.path() / "fleet";
  const auto merge = run_benchrun(
      {"merge", first.string(), second.string(), "--out", merged_dir.string(), "--host-names", "east,west"});
  ASSERT_EQ(merge.exit_code, 0) << merge.err << merge.out;
  const auto merged_path = merged_dir / "report.json";
  EXPECT_NE(merge.out.find(merged_path.string()), std::string::npos) << merge.out;
  EXPECT_EQ(validate_against_schema(merged_path), "");
  EXPECT_NE(read_text(merged_dir / "report.html").find("<section id=\"hosts\">"), std::string::npos);

  const json merged = json::parse(read_text(merged_path));
  ASSERT_EQ(merged.at("hosts").size(), 2U);
  EXPECT_EQ(merged.at("hosts")[1].at("host"), "west");
  std::vector<std::string> backends;
  for (const auto& backend : merged.at("backends")) backends.push_back(backend.at("name"));
  EXPECT_EQ(backends, (std::vector<std::string>{"east/native", "east/container", "west/native", "west/container"}));
  int rated = 0;
  for (const auto& summary : merged.at("summaries")) {
    if (summary.at("backend") == "west/container" && summary.at("metric") == "time_to_ready_ms") {
      EXPECT_EQ(summary.at("summary").at("count"), 3);
      EXPECT_GT(summary.at("ratio_to_native").get<double>(), 0.0);
      ++rated;
    }
  }
  EXPECT_EQ(rated, 1);

  const auto report = run_benchrun({"report", merged_path.string()});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(report.out.find("west/container"), std::string::npos) << report.out;

  const auto compare = run_benchrun({"compare", merged_path.string(), merged_path.string()});
  EXPECT_EQ(compare.exit_code, 0) << compare.err << compare.out;
  EXPECT_NE(compare.out.find("east/container"), std::string::npos) << compare.out;
  EXPECT_NE(compare.out.find("0 regressed, 0 improved"), std::string::npos) << compare.out;
}

// One way the input can be bad, and what the one line must say.
struct BadMerge {
  const char* name;
  // The arguments after "merge" (the last report, then any more), given the good report and a folder for files.
  std::function<std::vector<std::string>(const std::filesystem::path& good, const std::filesystem::path& dir)> args;
  const char* says;
};

std::filesystem::path write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

class MergeBadInput : public ::testing::TestWithParam<BadMerge> {
 protected:
  // A complete startup report of host `hostname`.
  std::filesystem::path write_report(const std::string& name, const std::string& hostname,
                                     const std::string& suite = "startup") {
    reports::Report report;
    report.complete = true;
    report.options.suite = suite;
    report.environment.hostname = hostname;
    const auto path = dir_.path() / name;
    reports::write_report_atomically(report, path);
    return path;
  }

  TempDir dir_;
};

TEST_P(MergeBadInput, IsOneLineExitTwoAndLeavesTheOutputAsItWas) {
  const auto good = write_report("good.json", "east");
  const auto out = dir_.path() / "out";
  std::filesystem::create_directory(out);
  const auto previous = write_text(out / "report.json", "the previous merge\n");
  std::vector<std::string> args = {"merge", good.string()};
  for (const std::string& arg : GetParam().args(dir_.path() / "input.json", dir_.path())) args.push_back(arg);
  if (std::find(args.begin(), args.end(), "--out") == args.end()) args.insert(args.end(), {"--out", out.string()});
  const std::string line = refusal_of(args);
  EXPECT_NE(line.find(GetParam().says), std::string::npos) << line;
  EXPECT_EQ(read_text(previous), "the previous merge\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(out), {}), 1) << "no temporary file is left";
}

INSTANTIATE_TEST_SUITE_P(
    Merge, MergeBadInput,
    ::testing::Values(
        BadMerge{"TruncatedJson",
                 [](const auto& input, const auto&) {
                   return std::vector<std::string>{write_text(input, R"({"schema_version": "benchrun.re)").string()};
                 },
                 "input.json"},
        BadMerge{"ForeignJson",
                 [](const auto& input, const auto&) {
                   return std::vector<std::string>{write_text(input, R"({"name": "package.json"})").string()};
                 },
                 "not a benchrun report"},
        BadMerge{"UnknownSchemaVersion",
                 [](const auto& input, const auto&) {
                   return std::vector<std::string>{
                       write_text(input, R"({"schema_version": "benchrun.report/9"})").string()};
                 },
                 "'benchrun.report/9'"},
        BadMerge{"UnwritableOut",
                 [](const auto& input, const auto& dir) {
                   const auto file = write_text(dir / "a-file", "");
                   return std::vector<std::string>{write_text(input, read_text(dir / "good.json")).string(), "--out",
                                                   (file / "out").string(), "--host-names", "east,west"};
                 },
                 "cannot create --out folder"},
        BadMerge{"SameHostTwice",
                 [](const auto& input, const auto& dir) {
                   return std::vector<std::string>{write_text(input, read_text(dir / "good.json")).string()};
                 },
                 "give each report its own name with --host-names"},
        BadMerge{"DifferentSuites",
                 [](const auto& input, const auto& dir) {
                   std::string text = read_text(dir / "good.json");
                   text.replace(text.find("\"startup\""), 9, "\"density\"");
                   return std::vector<std::string>{write_text(input, text).string(), "--host-names", "east,west"};
                 },
                 "merge runs of one suite"},
        BadMerge{"HostNamesOfTheWrongCount",
                 [](const auto& input, const auto& dir) {
                   return std::vector<std::string>{write_text(input, read_text(dir / "good.json")).string(),
                                                   "--host-names", "east"};
                 },
                 "names 1 host(s) for 2 report(s)"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace benchrun::testing
