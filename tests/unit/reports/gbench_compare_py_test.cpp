// The gbench export read by the tool it is made for: Google Benchmark's own tools/compare.py (Debian's
// libbenchmark-tools, with SciPy for its U test; Debian's /usr/bin/python3 is the one that has them). Two exports of
// one suite, the second with every container time doubled, must compare as +100% on the container rows and unchanged on
// the native ones.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "reports/export/export.hpp"
#include "reports/metric_table.hpp"
#include "test_support.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::reports {
namespace {

using benchrun::testing::run_command;

const std::filesystem::path compare_py = "/usr/share/benchmark/compare.py";

// example_report's measured ok samples, repeated `repetitions` times with a small spread, container times
// multiplied by `container_factor`.
Report repeated_report(int repetitions, double container_factor) {
  const Report example = testing::example_report();
  Report report = example;
  report.samples.clear();
  for (const Sample& sample : example.samples) {
    if (sample.warmup || !sample.ok) continue;
    for (int repetition = 0; repetition < repetitions; ++repetition) {
      Sample copy = sample;
      copy.repetition = repetition;
      const double factor = (copy.backend == "container" ? container_factor : 1.0) * (1.0 + 0.01 * repetition);
      for (auto& [name, value] : copy.metrics) value *= factor;
      report.samples.push_back(copy);
    }
  }
  report.metrics = metric_table_for(report.samples).rows;
  return report;
}

TEST(GbenchExportWithComparePy, ReadsBothExportsAndSeesTheContainerDoubled) {
  ASSERT_TRUE(std::filesystem::exists(compare_py))
      << compare_py << " is missing: install Google Benchmark's tools with `apt-get install libbenchmark-tools "
      << "python3-scipy` (scripts/setup.sh does)";
  const benchrun::testing::TempDir dir;
  const ExportSpec baseline{ExportKind::gbench, dir.path() / "baseline.json"};
  const ExportSpec current{ExportKind::gbench, dir.path() / "current.json"};
  write_export(repeated_report(9, 1.0), baseline);
  write_export(repeated_report(9, 2.0), current);

  const auto result = run_command({"/usr/bin/python3", compare_py.string(), "--no-color", "benchmarks",
                                   baseline.file.string(), current.file.string()});
  ASSERT_EQ(result.exit_code, 0) << result.out;
  // compare.py prints one row per benchmark name: name, then the relative change of time and of CPU time.
  const std::regex container_row(R"(startup/container/spin/cold/time_to_ready_ms\s+\+1\.0000\s+\+1\.0000)");
  const std::regex native_row(R"(startup/native/spin/cold/time_to_ready_ms\s+\+0\.0000\s+\+0\.0000)");
  EXPECT_TRUE(std::regex_search(result.out, container_row)) << result.out;
  EXPECT_TRUE(std::regex_search(result.out, native_row)) << result.out;
  // With 9 repetitions a side it runs its U test, and finds the doubling significant.
  std::smatch p_value;
  ASSERT_TRUE(std::regex_search(result.out, p_value,
                                std::regex(R"(startup/container/spin/cold/time_to_ready_ms_pvalue\s+([0-9.]+))")))
      << result.out;
  EXPECT_LT(std::stod(p_value[1].str()), 0.05);
}

}  // namespace
}  // namespace benchrun::reports
