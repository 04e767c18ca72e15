#include "harness/report_merge.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <map>

#include "reports/metric_table.hpp"
#include "stats/report_summaries.hpp"
#include "sys/error.hpp"

namespace benchrun::harness {
namespace {

constexpr char host_separator = '/';
constexpr std::string_view merged_run_prefix = "merged-";

void check_host_name(const std::string& host, const MergeInput& input) {
  if (host.empty() || host.find(host_separator) != std::string::npos) {
    throw sys::Error(
        fmt::format("{}: host name '{}' cannot qualify backends (it must be non-empty, without '{}'): "
                    "name the host with --host-names",
                    input.source, host, host_separator));
  }
}

// A report of one run as a merged report of its one host: names qualified by the host, lines prefixed with it.
void qualify_by_host(reports::Report& report, const std::string& host) {
  const auto qualify = [&](std::string& name) { name = fmt::format("{}{}{}", host, host_separator, name); };
  for (reports::BackendInfo& backend : report.backends) {
    qualify(backend.name);
    backend.host = host;
  }
  for (std::string& name : report.options.backends) qualify(name);
  for (reports::Sample& sample : report.samples) qualify(sample.backend);
  for (reports::Verdict& verdict : report.verdicts) qualify(verdict.backend);
  for (reports::Series& series : report.series) qualify(series.backend);
  for (std::string& line : report.errors) line = fmt::format("{}: {}", host, line);
  for (std::string& line : report.warnings) line = fmt::format("{}: {}", host, line);
  report.hosts = {{host, report.environment}};
}

// The input in its merged form: qualified unless it is merged already.
reports::Report as_merged(MergeInput& input) {
  if (!input.report.hosts.empty()) {
    if (!input.host.empty()) {
      std::vector<std::string> names;
      for (const reports::HostEnvironment& host : input.report.hosts) names.push_back(host.host);
      throw sys::Error(
          fmt::format("{} is merged already (hosts {}): its hosts keep their names, give it '-' in "
                      "--host-names",
                      input.source, fmt::join(names, ", ")));
    }
    return std::move(input.report);
  }
  const std::string host = input.host.empty() ? input.report.environment.hostname : input.host;
  check_host_name(host, input);
  qualify_by_host(input.report, host);
  return std::move(input.report);
}

template <class Value>
void warn_if_differs(std::string_view what, const Value& kept, const Value& other, const std::string& source,
                     std::vector<std::string>& warnings) {
  if (kept != other) {
    warnings.push_back(fmt::format("merge: {} has {} {}, the first report {}: the merged options keep {}", source, what,
                                   other, kept, kept));
  }
}

template <class Item>
void add_missing(std::vector<Item>& kept, const std::vector<Item>& added) {
  for (const Item& item : added) {
    if (std::find(kept.begin(), kept.end(), item) == kept.end()) kept.push_back(item);
  }
}

void merge_options(reports::RunOptions& kept, const reports::RunOptions& added, const std::string& source,
                   std::vector<std::string>& warnings) {
  add_missing(kept.backends, added.backends);
  add_missing(kept.start_modes, added.start_modes);
  for (const reports::Case& added_case : added.cases) {
    const auto known = std::find_if(kept.cases.begin(), kept.cases.end(),
                                    [&](const reports::Case& candidate) { return candidate.name == added_case.name; });
    if (known == kept.cases.end()) {
      kept.cases.push_back(added_case);
    } else if (*known != added_case) {
      warnings.push_back(fmt::format(
          "merge: {} defines case '{}' otherwise (workload, arguments or limits): the merged options keep the first "
          "report's",
          source, added_case.name));
    }
  }
  warn_if_differs("runs", kept.runs, added.runs, source, warnings);
  warn_if_differs("warm-up runs", kept.warmup, added.warmup, source, warnings);
  warn_if_differs("timeout_ms", kept.timeout_ms, added.timeout_ms, source, warnings);
}

void merge_metric_table(std::vector<reports::MetricDef>& kept, const std::vector<reports::MetricDef>& added,
                        const std::string& source, std::vector<std::string>& warnings) {
  for (const reports::MetricDef& metric : added) {
    const reports::MetricDef* known = reports::find_metric(kept, metric.name);
    if (known == nullptr) {
      kept.push_back(metric);
    } else if (known->unit != metric.unit || known->better != metric.better) {
      warnings.push_back(
          fmt::format("merge: {} has metric '{}' in {} ({} is better), the first report in {} ({} is "
                      "better): the first's is kept",
                      source, metric.name, metric.unit, reports::to_string(metric.better), known->unit,
                      reports::to_string(known->better)));
    }
  }
}

template <class Item>
void append(std::vector<Item>& kept, std::vector<Item>& added) {
  kept.insert(kept.end(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
}

// Adds `added` (merged form) to `merged`; the first input is `merged` itself.
void merge_into(reports::Report& merged, reports::Report& added, const std::string& source,
                std::map<std::string, std::string>& source_of_host) {
  if (added.options.suite != merged.options.suite) {
    throw sys::Error(fmt::format("{} is a '{}' report, the first one a '{}' report: merge runs of one suite", source,
                                 added.options.suite, merged.options.suite));
  }
  for (const reports::HostEnvironment& host : added.hosts) {
    const auto [earlier, inserted] = source_of_host.emplace(host.host, source);
    if (!inserted) {
      throw sys::Error(
          fmt::format("host '{}' is in both {} and {} (two runs on one host?): give each report its "
                      "own name with --host-names",
                      host.host, earlier->second, source));
    }
  }
  merged.started_at = std::min(merged.started_at, added.started_at);  // RFC 3339 with ms: text order is time order
  merged.finished_at = std::max(merged.finished_at, added.finished_at);
  merged.complete = merged.complete && added.complete;
  merge_options(merged.options, added.options, source, merged.warnings);
  merge_metric_table(merged.metrics, added.metrics, source, merged.warnings);
  append(merged.hosts, added.hosts);
  append(merged.backends, added.backends);
  append(merged.samples, added.samples);
  append(merged.verdicts, added.verdicts);
  append(merged.series, added.series);
  append(merged.errors, added.errors);
  append(merged.warnings, added.warnings);
}

}  // namespace

reports::Report merge_reports(std::vector<MergeInput> inputs) {
  if (inputs.empty()) throw sys::Error("merge: no report given");
  reports::Report merged = as_merged(inputs.front());
  std::map<std::string, std::string> source_of_host;
  for (const reports::HostEnvironment& host : merged.hosts) source_of_host.emplace(host.host, inputs.front().source);
  for (auto input = inputs.begin() + 1; input != inputs.end(); ++input) {
    reports::Report added = as_merged(*input);
    merge_into(merged, added, input->source, source_of_host);
  }
  if (!merged.run_id.starts_with(merged_run_prefix))
    merged.run_id = fmt::format("{}{}", merged_run_prefix, merged.run_id);
  merged.environment = merged.hosts.front().environment;
  merged.summaries = stats::summarize_samples(merged);
  merged.phase_summaries = stats::summarize_phases(merged);
  return merged;
}

}  // namespace benchrun::harness
