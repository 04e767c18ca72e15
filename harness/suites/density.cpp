#include "harness/suites/density.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <mutex>
#include <thread>

#include "harness/suites/density_limits.hpp"
#include "harness/suites/density_results.hpp"
#include "harness/workload_protocol.hpp"
#include "sys/wait.hpp"

namespace benchrun::harness {
namespace {

constexpr std::uint64_t quick_host_count = 500;
constexpr std::uint64_t quick_guest_count = 8;
// MemAvailable the run leaves to the host whatever the budget: 5% of RAM, at least 512 MiB, so a density
// run on a shared machine ends with a named reason instead of an OOM kill somewhere else.
constexpr std::uint64_t min_host_reserve_bytes = 512ULL << 20;
constexpr std::uint64_t host_reserve_divisor = 20;

// Waits for READY; throws when the instance ended first (with its diagnostics), Timeout, Interrupted.
sys::MonotonicNs wait_ready(Instance& instance, sys::MonotonicNs deadline) {
  while (std::optional<sys::ConsoleLine> line = instance.next_line(deadline)) {
    if (is_ready_line(line->text)) return line->at;
  }
  throw sys::Error(fmt::format("instance ended before BENCHRUN READY{}", with_diagnostics(instance.diagnostics())));
}

// The fleet of one step: every instance started, its record, and why launching stopped. Workers take turns
// under one mutex to decide whether one more instance may start; launches and READY waits run outside it.
class Fleet {
 public:
  Fleet(Backend& backend, const StepInput& input, const DensityOptions& options, std::uint64_t target)
      : backend_(backend), input_(input), options_(options), watch_(probe_, backend.kind()), raised_(probe_) {
    run_.target = target;
    run_.host_available_at_start = probe_.mem_available_bytes();
    const std::uint64_t total = probe_.mem_total_bytes();
    host_reserve_ = std::max(min_host_reserve_bytes, total / host_reserve_divisor);
  }

  // What the limits predict for the target before anything starts.
  [[nodiscard]] std::string prediction() const {
    const auto limits = watch_.read(0);
    const auto first = first_limit_reached(limits, run_.target);
    if (!first) {
      return fmt::format("{}: no kernel limit predicted to stop {} instances{}", backend_.name(), run_.target,
                         options_.raise_limits ? "" : " (memory is judged as instances come up)");
    }
    return fmt::format("{}: predicted to stop {} instances first: {}{}", backend_.name(), run_.target,
                       describe(first->limit),
                       first->limit.raisable ? (options_.raise_limits ? " (--raise-limits: it will be raised)"
                                                                      : " (--raise-limits would raise it for the run)")
                                             : "");
  }

  // Starts instances on `parallel` threads until something stops them.
  void launch_all(unsigned parallel) {
    run_.started_at = sys::monotonic_now();
    std::vector<std::jthread> workers;
    for (unsigned worker = 0; worker < parallel; ++worker) workers.emplace_back([this] { launch_until_stopped(); });
    workers.clear();  // joins
    run_.stop = stop_.value_or(StopReason{StopCause::count_reached, ""});
  }

  // Reads every instance's idle memory and the host's, then tears all down on `parallel` threads.
  void measure_and_tear_down(unsigned parallel) {
    run_.host_available_all_up = probe_.mem_available_bytes();
    for (std::size_t index = 0; index < instances_.size(); ++index) {
      if (!instances_[index] || !run_.instances[index].ready_at) continue;
      try {
        const InstanceStats stats = instances_[index]->stats();
        run_.instances[index].memory_bytes =
            stats.memory_current_bytes ? stats.memory_current_bytes : stats.memory_peak_bytes;
      } catch (const sys::Error&) {  // the instance keeps its other figures; teardown will tell what is wrong
      }
    }
    raised_.restore();  // nothing starts any more: the kernel may have its limits back
    run_.teardown_started_at = sys::monotonic_now();
    std::size_t next = 0;
    std::vector<std::jthread> workers;
    for (unsigned worker = 0; worker < parallel; ++worker) {
      workers.emplace_back([this, &next] {
        for (;;) {
          std::size_t index = 0;
          {
            const std::lock_guard lock(mutex_);
            if (next >= instances_.size()) return;
            index = next++;
          }
          tear_down(index);
        }
      });
    }
    workers.clear();  // joins
    run_.teardown_done_at = sys::monotonic_now();
  }

  [[nodiscard]] const DensityRun& run() const { return run_; }
  [[nodiscard]] std::vector<std::string> limit_changes() const { return raised_.changes(); }

 private:
  void launch_until_stopped() {
    for (;;) {
      std::size_t index = 0;
      InstanceSpec spec;
      {
        const std::lock_guard lock(mutex_);
        if (!stop_) stop_ = reason_to_stop();
        if (stop_) return;
        index = run_.instances.size();
        run_.instances.emplace_back();
        instances_.emplace_back();
        spec = instance_spec(input_.test_case, input_.next_instance_name());
        ++in_flight_;
      }
      launch_one(index, spec);
    }
  }

  // Called under the mutex before each launch.
  std::optional<StopReason> reason_to_stop() {
    if (run_.instances.size() >= run_.target) return StopReason{StopCause::count_reached, ""};
    const sys::MonotonicNs now = sys::monotonic_now();
    if (options_.time_budget && now - run_.started_at >= std::chrono::nanoseconds(*options_.time_budget).count()) {
      return StopReason{StopCause::time_budget, fmt::format("{} s", options_.time_budget->count() / 1000.0)};
    }
    const std::uint64_t available = probe_.mem_available_bytes();
    const std::uint64_t used = run_.host_available_at_start > available ? run_.host_available_at_start - available : 0;
    const double per_instance = alive_ > 0 ? static_cast<double>(used) / static_cast<double>(alive_) : 0.0;
    const auto next_use = static_cast<std::uint64_t>(per_instance * static_cast<double>(in_flight_ + 1));
    if (options_.max_memory_bytes && used + next_use > *options_.max_memory_bytes) {
      return StopReason{StopCause::memory_budget,
                        fmt::format("MemAvailable fell by {} MiB with {} instances ({:.2f} MiB each), budget {} MiB",
                                    used >> 20, alive_, per_instance / (1 << 20), *options_.max_memory_bytes >> 20)};
    }
    if (available < host_reserve_ + next_use) {
      return StopReason{StopCause::host_memory,
                        fmt::format("MemAvailable {} MiB, reserve {} MiB", available >> 20, host_reserve_ >> 20)};
    }
    const std::vector<KernelLimit> limits = watch_.read(alive_);
    const std::optional<KernelLimit> blocking = blocking_limit(limits, in_flight_);
    if (!blocking) return std::nullopt;
    std::string why_not;
    if (options_.raise_limits) {
      if (raised_.raise_for(*blocking, run_.target - run_.instances.size() + in_flight_, why_not)) return std::nullopt;
    } else {
      why_not = blocking->raisable ? "--raise-limits would raise it for the run" : "it cannot be raised";
    }
    return StopReason{StopCause::kernel_limit, fmt::format("{} ({})", describe(*blocking), why_not)};
  }

  void launch_one(std::size_t index, const InstanceSpec& spec) {
    InstanceRecord record;
    std::unique_ptr<Instance> instance;
    std::optional<StopReason> stop;
    record.launched_at = sys::monotonic_now();
    const sys::MonotonicNs deadline = record.launched_at + std::chrono::nanoseconds(input_.timeout).count();
    const auto fail = [&](reports::FailureKind kind, const sys::Error& error, StopReason reason) {
      std::string message = error.what();
      if (instance) message += with_diagnostics(instance->diagnostics());
      record.failure = reports::Failure{kind, message};
      if (reason.detail.empty()) reason.detail = message;
      stop = std::move(reason);
    };
    try {
      {
        // libvirt and the guest's boot files are not ours to prove thread-safe: one guest is defined at a
        // time, and the guests boot in parallel. Host backends launch concurrently.
        std::unique_lock launch_lock(launch_mutex_, std::defer_lock);
        if (backend_.kind() == reports::BackendKind::vm) launch_lock.lock();
        instance = backend_.launch(spec, deadline);
      }
      record.ready_at = wait_ready(*instance, deadline);
      for (const auto& [phase, at] : instance->phases())
        record.phases[phase] = static_cast<double>(at - record.launched_at) / 1e6;
    } catch (const sys::Interrupted& interrupted) {
      fail(reports::FailureKind::error, interrupted, {StopCause::interrupted, "a stop request"});
    } catch (const sys::Timeout& timeout) {
      fail(reports::FailureKind::timeout, timeout, {StopCause::launch_failed, ""});
    } catch (const sys::SystemError& error) {
      const auto limit = limit_named_by_errno(error.code());
      fail(reports::FailureKind::error, error,
           limit ? StopReason{StopCause::kernel_limit, fmt::format("{}: {}", *limit, error.what())}
                 : StopReason{StopCause::launch_failed, ""});
    } catch (const sys::Error& error) {
      fail(reports::FailureKind::error, error, {StopCause::launch_failed, ""});
    }

    const std::lock_guard lock(mutex_);
    --in_flight_;
    if (record.ready_at) {
      record.ready_rank = ++alive_;
      record.host_available_bytes = probe_.mem_available_bytes();
      watch_.note_alive(alive_);
    }
    // The first reason stands, except a stop request: the run must end, whatever else stopped the step.
    if (stop && (!stop_ || stop->cause == StopCause::interrupted)) stop_ = std::move(stop);
    run_.instances[index] = std::move(record);
    instances_[index] = std::move(instance);
  }

  void tear_down(std::size_t index) {
    std::unique_ptr<Instance>& instance = instances_[index];
    if (!instance) return;
    InstanceRecord& record = run_.instances[index];
    record.teardown_started_at = sys::monotonic_now();
    try {
      instance->destroy();
      record.torn_down_at = sys::monotonic_now();
    } catch (const sys::Error& error) {
      if (!record.failure) record.failure = reports::Failure{reports::FailureKind::error, error.what()};
    }
    instance.reset();
  }

  Backend& backend_;
  const StepInput& input_;
  const DensityOptions& options_;
  HostProbe probe_;
  LimitWatch watch_;
  RaisedLimits raised_;
  std::uint64_t host_reserve_ = 0;

  std::mutex mutex_;  // guards everything below while workers run
  std::mutex launch_mutex_;
  DensityRun run_;
  std::vector<std::unique_ptr<Instance>> instances_;  // aligned with run_.instances
  std::optional<StopReason> stop_;
  std::uint64_t alive_ = 0;
  std::uint64_t in_flight_ = 0;
};

}  // namespace

std::uint64_t default_density_count(reports::BackendKind kind) {
  return kind == reports::BackendKind::vm ? quick_guest_count : quick_host_count;
}

StepResult measure_density(Backend& backend, const StepInput& input, const DensityOptions& options) {
  std::vector<std::string> notes;
  if (auto raised = raise_nofile_soft_limit()) notes.push_back(std::move(*raised));
  const unsigned parallel = std::max(1U, options.parallel);
  Fleet fleet(backend, input, options, options.count.value_or(default_density_count(backend.kind())));
  notes.push_back(fleet.prediction());
  fleet.launch_all(parallel);
  fleet.measure_and_tear_down(parallel);

  StepResult result = density_result(fleet.run());
  for (auto& change : fleet.limit_changes()) notes.push_back(fmt::format("{}: {}", backend.name(), change));
  result.notes = std::move(notes);
  result.interrupted = fleet.run().stop.cause == StopCause::interrupted;
  return result;
}

std::vector<reports::Case> density_cases(const CaseFlags& flags) {
  return {reports::Case{"idle", "idle", {}, flags.limits}};
}

Step make_density_step(const SuiteOptions& options) {
  return [density = options.density](Backend& backend, const StepInput& input) {
    return measure_density(backend, input, density);
  };
}

}  // namespace benchrun::harness
