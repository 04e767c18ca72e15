#include "harness/suites/density_results.hpp"

#include <fmt/format.h>
#include <algorithm>

#include "sys/enum_names.hpp"

namespace benchrun::harness {
namespace {

constexpr double ns_per_ms = 1e6;
constexpr double ns_per_s = 1e9;
constexpr double bytes_per_mib = 1 << 20;
constexpr std::size_t max_rate_window = 50;

constexpr sys::EnumNames<StopCause, 7> stop_cause_names{{
    {StopCause::count_reached, "count reached"},
    {StopCause::memory_budget, "memory budget (--max-memory) reached"},
    {StopCause::time_budget, "time budget (--time-budget) reached"},
    {StopCause::host_memory, "host memory reserve reached"},
    {StopCause::kernel_limit, "kernel limit"},
    {StopCause::launch_failed, "a launch failed"},
    {StopCause::interrupted, "interrupted"},
}};

double ms_between(sys::MonotonicNs from, sys::MonotonicNs to) { return static_cast<double>(to - from) / ns_per_ms; }

double mib(std::uint64_t bytes) { return static_cast<double>(bytes) / bytes_per_mib; }

// Events per second from `from` to the last event; nullopt without events or time.
std::optional<double> overall_rate(const std::vector<sys::MonotonicNs>& sorted_times, sys::MonotonicNs from) {
  if (sorted_times.empty() || sorted_times.back() <= from) return std::nullopt;
  return static_cast<double>(sorted_times.size()) * ns_per_s / static_cast<double>(sorted_times.back() - from);
}

reports::Series series(std::string name, std::string y_label, std::string y_unit,
                       std::vector<reports::SeriesPoint> points) {
  reports::Series curve;
  curve.name = std::move(name);
  curve.x_label = "instances";
  curve.x_unit = "count";
  curve.y_label = std::move(y_label);
  curve.y_unit = std::move(y_unit);
  curve.points = std::move(points);
  return curve;
}

// One sample per instance: its time to READY, its idle memory, its teardown; a failed one with its reason.
reports::Sample instance_sample(const InstanceRecord& instance) {
  reports::Sample sample;
  sample.started_at_monotonic_ns = instance.launched_at;
  if (instance.ready_at) sample.metrics["time_to_ready_ms"] = ms_between(instance.launched_at, *instance.ready_at);
  if (instance.memory_bytes) sample.metrics["idle_instance_memory_mib"] = mib(*instance.memory_bytes);
  if (instance.teardown_started_at && instance.torn_down_at)
    sample.metrics["teardown_ms"] = ms_between(*instance.teardown_started_at, *instance.torn_down_at);
  sample.phases = instance.phases;
  sample.failure = instance.failure;
  sample.ok = !sample.failure.has_value();
  return sample;
}

std::vector<sys::MonotonicNs> sorted(std::vector<sys::MonotonicNs> times) {
  std::sort(times.begin(), times.end());
  return times;
}

}  // namespace

std::string describe(const StopReason& reason) {
  const std::string_view what = sys::name_of(stop_cause_names, reason.cause);
  return reason.detail.empty() ? std::string(what) : fmt::format("{}: {}", what, reason.detail);
}

bool stopped_as_asked(StopCause cause) {
  return cause == StopCause::count_reached || cause == StopCause::memory_budget || cause == StopCause::time_budget;
}

std::size_t rate_window(std::size_t events) { return std::clamp<std::size_t>(events / 20, 1, max_rate_window); }

std::vector<reports::SeriesPoint> rate_curve(const std::vector<sys::MonotonicNs>& sorted_times, sys::MonotonicNs from,
                                             std::size_t window) {
  std::vector<reports::SeriesPoint> points;
  for (std::size_t index = 0; index < sorted_times.size(); ++index) {
    const bool full_window = index >= window;
    const sys::MonotonicNs window_start = full_window ? sorted_times[index - window] : from;
    const std::size_t events = full_window ? window : index + 1;
    if (sorted_times[index] <= window_start) continue;  // no time passed: no rate to tell
    points.push_back({static_cast<double>(index + 1), static_cast<double>(events) * ns_per_s /
                                                          static_cast<double>(sorted_times[index] - window_start)});
  }
  return points;
}

StepResult density_result(const DensityRun& run) {
  StepResult result;
  std::vector<sys::MonotonicNs> ready_times;
  std::vector<sys::MonotonicNs> teardown_times;
  std::vector<reports::SeriesPoint> time_to_ready;
  std::vector<reports::SeriesPoint> host_memory;
  std::vector<reports::SeriesPoint> instance_memory;
  std::vector<const InstanceRecord*> by_rank;
  for (const InstanceRecord& instance : run.instances) {
    result.samples.push_back(instance_sample(instance));
    if (instance.torn_down_at) teardown_times.push_back(*instance.torn_down_at);
    if (instance.ready_at) by_rank.push_back(&instance);
  }
  std::sort(by_rank.begin(), by_rank.end(), [](const auto* a, const auto* b) { return a->ready_rank < b->ready_rank; });
  for (const InstanceRecord* instance : by_rank) {
    const auto count = static_cast<double>(instance->ready_rank);
    ready_times.push_back(*instance->ready_at);
    time_to_ready.push_back({count, ms_between(instance->launched_at, *instance->ready_at)});
    if (instance->memory_bytes) instance_memory.push_back({count, mib(*instance->memory_bytes)});
    if (instance->host_available_bytes && run.host_available_at_start > *instance->host_available_bytes) {
      host_memory.push_back({count, mib(run.host_available_at_start - *instance->host_available_bytes) / count});
    }
  }
  ready_times = sorted(std::move(ready_times));
  teardown_times = sorted(std::move(teardown_times));
  const std::uint64_t reached = ready_times.size();

  reports::Sample fleet;
  fleet.started_at_monotonic_ns = run.started_at;
  fleet.metrics["instances_reached"] = static_cast<double>(reached);
  if (const auto rate = overall_rate(ready_times, run.started_at)) fleet.metrics["launch_rate_per_s"] = *rate;
  if (const auto rate = overall_rate(teardown_times, run.teardown_started_at))
    fleet.metrics["teardown_rate_per_s"] = *rate;
  if (reached > 0 && run.host_available_all_up && run.host_available_at_start > *run.host_available_all_up) {
    fleet.metrics["host_memory_per_instance_mib"] =
        mib(run.host_available_at_start - *run.host_available_all_up) / static_cast<double>(reached);
  }
  fleet.ok = true;
  result.samples.push_back(std::move(fleet));

  result.series.push_back(series("time_to_ready", "time to READY", "ms", std::move(time_to_ready)));
  result.series.push_back(series("launch_rate", "instances READY per second (moving window)", "1/s",
                                 rate_curve(ready_times, run.started_at, rate_window(ready_times.size()))));
  result.series.push_back(
      series("instance_memory", "idle instance memory (cgroup usage; QEMU PSS)", "MiB", std::move(instance_memory)));
  result.series.push_back(
      series("host_memory_per_instance", "host MemAvailable drop per instance", "MiB", std::move(host_memory)));
  reports::Series teardown =
      series("teardown_rate", "instances torn down per second (moving window)", "1/s",
             rate_curve(teardown_times, run.teardown_started_at, rate_window(teardown_times.size())));
  teardown.x_label = "instances torn down";
  result.series.push_back(std::move(teardown));

  reports::Verdict verdict;
  verdict.check = "density.count_reached";
  verdict.configured = static_cast<double>(run.target);
  verdict.measured = static_cast<double>(reached);
  verdict.unit = "instances";
  verdict.pass = stopped_as_asked(run.stop.cause);
  verdict.why = fmt::format("{} of {} instances READY at once; stopped: {}", reached, run.target, describe(run.stop));
  result.verdicts.push_back(std::move(verdict));
  return result;
}

}  // namespace benchrun::harness
