// Google Benchmark's JSON format, so its tools/compare.py can compare two benchrun runs. Only time metrics
// (unit "ms" in the report's metric table) go in: Google Benchmark knows nothing but times (and counters,
// which compare.py ignores). Each measured ok sample becomes one "iteration" run per metric, named
// <suite>/<backend>/<case>/<start_mode>/<metric>; its repetitions are the samples of that name.
#include <map>
#include <nlohmann/json.hpp>

#include "reports/export/export.hpp"
#include "reports/metric_table.hpp"

namespace benchrun::reports {
namespace {

nlohmann::json context_of(const Report& report) {
  return {
      {"date", report.started_at},
      {"host_name", report.environment.hostname},
      {"executable", "benchrun"},
      {"num_cpus", report.environment.cores},
      {"mhz_per_cpu", 0},  // unknown: benchrun does not probe the clock
      {"cpu_scaling_enabled", false},
      {"caches", nlohmann::json::array()},
      {"library_build_type", "release"},
      {"json_schema_version", 1},  // compare.py refuses any other
      {"benchrun_run_id", report.run_id},
  };
}

std::string run_name(const Report& report, const Sample& sample, const std::string& metric) {
  const std::string start = sample.start_mode ? std::string(to_string(*sample.start_mode)) : "-";
  return report.options.suite + "/" + sample.backend + "/" + sample.case_name + "/" + start + "/" + metric;
}

bool is_time_metric(const Report& report, const std::string& metric) {
  const MetricDef* row = find_metric(report.metrics, metric);
  return row != nullptr && row->unit == "ms";
}

}  // namespace

RenderedExport render_gbench(const Report& report) {
  std::vector<std::pair<std::string, nlohmann::json>> runs;  // name -> entry, in sample order
  std::map<std::string, int> repetitions;
  std::map<std::string, int> family_index;
  for (const Sample& sample : report.samples) {
    if (sample.warmup || !sample.ok) continue;
    const auto cpu_time = sample.metrics.find("cpu_time_ms");
    for (const auto& [metric, value] : sample.metrics) {
      if (!is_time_metric(report, metric)) continue;
      const std::string name = run_name(report, sample, metric);
      const auto family = family_index.try_emplace(name, static_cast<int>(family_index.size())).first->second;
      runs.emplace_back(name, nlohmann::json{
                                  {"name", name},
                                  {"family_index", family},
                                  {"per_family_instance_index", 0},
                                  {"run_name", name},
                                  {"run_type", "iteration"},
                                  {"repetition_index", repetitions[name]++},
                                  {"threads", 1},
                                  {"iterations", 1},
                                  {"real_time", value},
                                  {"cpu_time", cpu_time != sample.metrics.end() ? cpu_time->second : value},
                                  {"time_unit", "ms"},
                              });
    }
  }
  nlohmann::json benchmarks = nlohmann::json::array();
  for (auto& [name, entry] : runs) {
    entry["repetitions"] = repetitions[name];
    benchmarks.push_back(std::move(entry));
  }
  const nlohmann::json document{{"context", context_of(report)}, {"benchmarks", std::move(benchmarks)}};
  return {document.dump(2) + "\n", {}};
}

}  // namespace benchrun::reports
