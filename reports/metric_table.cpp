#include "reports/metric_table.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "sys/error.hpp"

namespace benchrun::reports {

const std::vector<MetricDef>& known_metrics() {
  static const std::vector<MetricDef> table{
      {"time_to_ready_ms", "ms", Better::lower, "launch to the arrival of BENCHRUN READY: the instance is up"},
      {"time_to_result_ms", "ms", Better::lower,
       "launch to the arrival of BENCHRUN RESULT: the workload ran and was reaped"},
      {"time_to_exit_ms", "ms", Better::lower, "launch to the end of the instance as the host sees it"},
      {"teardown_ms", "ms", Better::lower, "removing what the instance left (cgroups, mounts, guest); none for native"},
      {"total_ms", "ms", Better::lower, "launch to teardown done"},
      {"cpu_time_ms", "ms", Better::lower, "CPU time the instance used (user + system), as its backend accounts it"},
      {"workload_max_rss_mib", "MiB", Better::lower,
       "the workload's peak resident memory (benchinit's wait4): the same figure on every backend"},
      {"instance_memory_mib", "MiB", Better::lower,
       "what the whole instance cost in memory: container cgroup peak, VM QEMU PSS; none for native"},
      // vm+container: the inner container's phases, read from `benchrun run --phases-fd` inside the guest.
      {"guest_container_prepared_ms", "ms", Better::lower,
       "guest clock: the container's start to its cgroup and state ready (vm+container, ms on the guest's clock)"},
      {"guest_container_cloned_ms", "ms", Better::lower,
       "guest clock: the container's start to its init running (vm+container, ms on the guest's clock)"},
      {"guest_container_cgroup_ready_ms", "ms", Better::lower,
       "guest clock: the container's start to its init in its cgroup (vm+container, ms on the guest's clock)"},
      {"guest_container_mounts_done_ms", "ms", Better::lower,
       "guest clock: the container's start to its rootfs mounted and pivoted (vm+container, ms on the guest's "
       "clock)"},
      {"guest_container_exec_ms", "ms", Better::lower,
       "guest clock: the container's start to the exec of its benchinit (vm+container, ms on the guest's clock)"},
      // density: one sample per instance held alive, and one for the whole fleet of a step.
      {"idle_instance_memory_mib", "MiB", Better::lower,
       "an idle instance's own memory with the whole fleet up: container cgroup usage, VM QEMU PSS (guest RAM it "
       "touched included)"},
      {"launch_rate_per_s", "1/s", Better::higher, "instances READY per second, first launch to last READY"},
      {"teardown_rate_per_s", "1/s", Better::higher, "instances torn down per second, the whole fleet"},
      {"instances_reached", "count", Better::higher, "instances READY at once when the run stopped starting more"},
      {"host_memory_per_instance_mib", "MiB", Better::lower,
       "the host's MemAvailable drop over the instances alive, with the whole fleet up"},
      // overhead --tool: a trusted tool's own figure, parsed from its output (harness/suites/overhead.hpp).
      {"tool_bogo_ops_per_s", "ops/s", Better::higher, "stress-ng --metrics-brief: bogo ops/s (real time)"},
      {"tool_fio_read_iops", "IOPS", Better::higher, "fio --output-format=json: read IOPS, all jobs"},
      {"tool_fio_read_mb_s", "MB/s", Better::higher, "fio --output-format=json: read bandwidth, all jobs"},
      {"tool_fio_write_iops", "IOPS", Better::higher, "fio --output-format=json: write IOPS, all jobs"},
      {"tool_fio_write_mb_s", "MB/s", Better::higher, "fio --output-format=json: write bandwidth, all jobs"},
  };
  return table;
}

const MetricDef* find_metric(const std::vector<MetricDef>& table, std::string_view name) {
  const auto found = std::find_if(table.begin(), table.end(), [&](const MetricDef& row) { return row.name == name; });
  return found == table.end() ? nullptr : &*found;
}

MetricDef phase_metric(std::string_view phase) { return {std::string(phase), "ms", Better::lower, "ms since launch"}; }

MetricTable metric_table_for(const std::vector<Sample>& samples) {
  MetricTable table;
  for (const MetricDef& known : known_metrics()) {
    const bool carried = std::any_of(samples.begin(), samples.end(),
                                     [&](const Sample& sample) { return sample.metrics.contains(known.name); });
    if (carried) table.rows.push_back(known);
  }
  for (const Sample& sample : samples) {
    if (!sample.workload_result) continue;
    for (const WorkloadMetric& metric : sample.workload_result->metrics) {
      const MetricDef* row = find_metric(table.rows, metric.name);
      if (row == nullptr) {
        table.rows.push_back({metric.name, metric.unit, metric.better, "reported by the workload"});
      } else if (row->unit != metric.unit || row->better != metric.better) {
        table.conflicts.push_back(
            fmt::format("workload metric {}: {} sample #{} says {} ({} is better), the table keeps {} ({} is better)",
                        metric.name, sample.backend, sample.repetition, metric.unit, to_string(metric.better),
                        row->unit, to_string(row->better)));
      }
    }
  }
  for (const Sample& sample : samples) {
    for (const auto& [name, value] : sample.metrics) {
      if (find_metric(table.rows, name) == nullptr) {
        throw sys::Error(
            fmt::format("metric '{}' of {} sample #{} has no row in the metric table: add it to "
                        "reports/metric_table.cpp (or report it as a workload metric)",
                        name, sample.backend, sample.repetition));
      }
    }
  }
  return table;
}

}  // namespace benchrun::reports
