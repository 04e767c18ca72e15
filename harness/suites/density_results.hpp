// What a density step measured, and how it becomes a StepResult: one sample per instance (time to READY,
// its idle memory, its teardown), one sample for the whole fleet (launch and teardown rates, the count
// reached, the host's memory per instance), the curves over the count, and the verdict on why it stopped.
// Pure: the step (density.cpp) records, this judges, so the judgement is tested without a kernel.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/suite.hpp"
#include "reports/model.hpp"
#include "sys/clock.hpp"

namespace benchrun::harness {

// Why a density step stopped starting instances.
enum class StopCause {
  count_reached,  // --count (or the backend's default)
  memory_budget,  // --max-memory: the host's MemAvailable fell by that much
  time_budget,    // --time-budget
  host_memory,    // MemAvailable reached the reserve kept for the host
  kernel_limit,   // a named kernel or process limit (predicted, or a launch failed with its errno)
  launch_failed,  // an instance failed to start or to become READY for another reason
  interrupted,    // Ctrl-C / SIGTERM
};

struct StopReason {
  StopCause cause = StopCause::count_reached;
  std::string detail;  // e.g. "kernel.pid_max = 32768 (...)", the failure message
};

// "count reached", "kernel limit: kernel.pid_max = ...".
std::string describe(const StopReason& reason);
// A stop the user asked for (count, budgets): the run did what it was told.
bool stopped_as_asked(StopCause cause);

// One instance of the fleet, in launch order.
struct InstanceRecord {
  sys::MonotonicNs launched_at = 0;
  std::optional<sys::MonotonicNs> ready_at;
  std::uint64_t ready_rank = 0;                       // 1 for the first instance READY, ...: the count then
  std::optional<std::uint64_t> host_available_bytes;  // the host's MemAvailable right after it was READY
  std::optional<std::uint64_t> memory_bytes;          // its own once all were up (cgroup usage; QEMU PSS)
  std::optional<sys::MonotonicNs> teardown_started_at;
  std::optional<sys::MonotonicNs> torn_down_at;
  std::optional<reports::Failure> failure;
  std::map<std::string, double> phases;  // the backend's launch phases, ms since launch: where a slower start goes
};

struct DensityRun {
  std::uint64_t target = 0;               // instances asked for
  std::vector<InstanceRecord> instances;  // in launch order
  sys::MonotonicNs started_at = 0;        // the first launch
  std::uint64_t host_available_at_start = 0;
  std::optional<std::uint64_t> host_available_all_up;  // once every instance was up, before teardown
  sys::MonotonicNs teardown_started_at = 0;
  sys::MonotonicNs teardown_done_at = 0;
  StopReason stop;
};

// Points of a rate curve: x = events so far, y = events per second over the last `window` events (fewer at
// the start), from sorted event times after `from`.
std::vector<reports::SeriesPoint> rate_curve(const std::vector<sys::MonotonicNs>& sorted_times, sys::MonotonicNs from,
                                             std::size_t window);
// The window rate curves use: about 1/20 of the events, between 1 and 50.
std::size_t rate_window(std::size_t events);

// Samples (backend left empty: the runner stamps it), series and the verdict "density.count_reached".
StepResult density_result(const DensityRun& run);

}  // namespace benchrun::harness
