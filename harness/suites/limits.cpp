#include "harness/suites/limits.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "harness/suites/in_guest_suite.hpp"
#include "harness/suites/limits_checks.hpp"
#include "harness/suites/limits_host.hpp"
#include "harness/suites/limits_vm.hpp"
#include "harness/workload_protocol.hpp"
#include "runtime/cgroup/mode.hpp"
#include "sys/wait.hpp"

namespace benchrun::harness {
namespace {

constexpr const char* cgroup_root = "/sys/fs/cgroup";

unsigned online_cpus() {
  const long count = sysconf(_SC_NPROCESSORS_ONLN);
  return count > 0 ? static_cast<unsigned>(count) : 1U;
}

// A verdict for a check this backend cannot be judged on, failing and saying why: never a silent skip.
reports::Verdict unjudged(const LimitCheck& check, std::string why) {
  reports::Verdict verdict;
  verdict.check = fmt::format("{}.host_view", check.name);
  verdict.pass = false;
  verdict.why = std::move(why);
  return verdict;
}

// Reads the instance's cgroup every 20 ms while it runs, keeping the last full read: crun and runc remove it
// when the init exits, and a few files (the limits read back, cpu.stat's throttling, pids.events) live there
// alone. Our runtime keeps it until teardown, where the read after the exit supersedes this one.
class WhileRunningReader {
 public:
  WhileRunningReader(runtime::CgroupMode mode, std::filesystem::path relative)
      : thread_([this, mode, relative = std::move(relative)](const std::stop_token& stop) {
          while (!stop.stop_requested()) {
            // A file read while the runtime removes the cgroup fails (ENODEV): that read is dropped, as one
            // the directory did not outlive. Nothing may escape the thread.
            std::optional<HostView> view;
            try {
              view = read_host_view(mode, cgroup_root, relative);
            } catch (const sys::Error&) {
            }
            // Kept only if the directory outlived the read: removal is atomic, so every file was there.
            if (view && cgroup_exists(mode, cgroup_root, relative)) {
              const std::lock_guard lock(mutex_);
              last_ = std::move(*view);
            }
            std::this_thread::sleep_for(poll_interval);
          }
        }) {}
  HostView stop_and_take() {
    thread_.request_stop();
    thread_.join();
    return last_.value_or(HostView{});
  }

 private:
  static constexpr std::chrono::milliseconds poll_interval{20};
  std::mutex mutex_;
  std::optional<HostView> last_;
  std::jthread thread_;  // last: started once the rest is built
};

// The console lines an observation keeps (an observer's report is a few dozen).
constexpr std::size_t max_output_lines = 1000;

// Runs the workload to its end, reads the host's view before teardown; fills `sample` with the workload's
// figures. Throws Error / Timeout when the launch fails, Interrupted on a stop request.
Observation observe(Backend& backend, const InstanceSpec& spec, const std::filesystem::path& relative,
                    sys::MonotonicNs deadline, reports::Sample& sample) {
  Observation seen;
  sample.started_at_monotonic_ns = sys::monotonic_now();
  const runtime::CgroupMode mode = runtime::detect_cgroup_mode(cgroup_root);
  std::unique_ptr<Instance> instance = backend.launch(spec, deadline);
  const TeardownGuard guard{*instance};
  WhileRunningReader while_running(mode, relative);
  while (std::optional<sys::ConsoleLine> line = instance->next_line(deadline)) {
    if (!is_result_line(line->text)) {
      if (seen.workload.output.size() < max_output_lines) seen.workload.output.push_back(line->text);
      continue;
    }
    const reports::WorkloadResult result = parse_result_line(line->text);
    take_result(result, seen.workload, sample);
  }
  const InstanceExit exit = instance->wait_exit(deadline);
  seen.workload.oom_killed = exit.oom_killed;
  seen.instance_wall_ms = static_cast<double>(sys::monotonic_now() - sample.started_at_monotonic_ns) / 1e6;
  // After the workload ended, before teardown removes the cgroup: the counters are final.
  HostView last_while_running = while_running.stop_and_take();
  if (cgroup_exists(mode, cgroup_root, relative)) {
    seen.host = read_host_view(mode, cgroup_root, relative);
  } else {
    seen.host =
        merge_final_counters(std::move(last_while_running), read_host_view(mode, cgroup_root, relative.parent_path()));
  }
  instance->destroy();
  return seen;
}

StepResult measure_limit_check(Backend& backend, const StepInput& input, const std::vector<std::string>& limits_off,
                               const std::filesystem::path& scratch_root) {
  StepResult result;
  const std::vector<LimitCheck> checks = limit_checks(online_cpus());
  const LimitCheck* check = find_limit_check(checks, input.test_case.name);
  if (check == nullptr) throw sys::Error(fmt::format("limits: no check named {}", input.test_case.name));
  if (check->not_applicable) {
    if (const std::optional<std::string> why = check->not_applicable()) {
      result.notes.push_back(fmt::format("{}: {}: {}", backend.name(), check->name, *why));
      return result;
    }
  }

  // A guest's limits are libvirt tunables, judged from what the vm backend watched (limits_vm.hpp).
  if (backend.kind() == reports::BackendKind::vm && backend.name() == "vm") {
    return measure_vm_limit_check(backend, input, *check,
                                  std::find(limits_off.begin(), limits_off.end(), check->name) != limits_off.end(),
                                  scratch_root);
  }
  InstanceSpec spec = instance_spec(input.test_case, input.next_instance_name());
  const auto relative = instance_cgroup_relative(backend.kind(), spec.name);
  if (!relative) {
    result.verdicts.push_back(unjudged(
        *check, backend.kind() == reports::BackendKind::native
                    ? "native runs unconfined (the baseline): there is no limit to prove"
                    : fmt::format("{}: the host's view of this backend's limits is not built yet (a guest's limits are "
                                  "libvirt tunables): not judged",
                                  backend.name())));
    return result;
  }
  const bool limit_off = std::find(limits_off.begin(), limits_off.end(), check->name) != limits_off.end();
  if (limit_off) {
    spec.limits = {};
    if (check->turn_off != nullptr) check->turn_off(spec);
    result.notes.push_back(fmt::format("{}: {} ran without its limit (--limits-off): its verdicts must fail",
                                       backend.name(), check->name));
  }
  if (check->measure != nullptr) {
    StepResult measured = check->measure(backend, input, *check, limit_off);
    measured.notes.insert(measured.notes.begin(), result.notes.begin(), result.notes.end());
    return measured;
  }

  reports::Sample sample;
  sample.backend = backend.name();
  const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(input.timeout).count();
  std::shared_ptr<void> prepared;  // what the check made on the host: removed after the instance's teardown
  try {
    Observation prepared_view;
    if (check->prepare) prepared = check->prepare(*check, scratch_root, spec, prepared_view);
    Observation seen = check->observe != nullptr
                           ? check->observe(*check, backend, spec, *relative, limit_off, deadline, sample)
                           : observe(backend, spec, *relative, deadline, sample);
    seen.io_device = prepared_view.io_device;
    seen.limit_applied = !limit_off;
    result.verdicts = check->judge(*check, seen);
    sample.ok = true;
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Error& error) {
    sample.failure = step_failure(error);
    result.verdicts.push_back(unjudged(*check, fmt::format("the check's instance failed: {}", error.what())));
  }
  result.samples.push_back(std::move(sample));
  return result;
}

}  // namespace

std::vector<reports::Case> limits_cases(const CaseFlags& flags) {
  if (flags.limits.any()) {
    throw sys::Error("--suite limits sets each check's own limit: drop --memory, --cpus, --pids and --cpuset");
  }
  std::vector<reports::Case> cases;
  for (const LimitCheck& check : limit_checks(online_cpus())) {
    if (!check.observer.empty() &&
        std::find(flags.observers.begin(), flags.observers.end(), check.observer) == flags.observers.end())
      continue;
    cases.push_back(reports::Case{std::string(check.name), check.workload, check.workload_args, check.limits});
  }
  return cases;
}

Step make_limits_step(const SuiteOptions& options) {
  return [limits_off = options.limits_off, scratch_root = options.overhead.scratch_dir](Backend& backend,
                                                                                        const StepInput& input) {
    // vm+container: the host cannot read the container's cgroup inside the guest; the guest's benchrun does.
    if (judged_in_guest(backend)) return limits_in_guest(backend, input, limits_off, scratch_root);
    return measure_limit_check(backend, input, limits_off, scratch_root);
  };
}

}  // namespace benchrun::harness
