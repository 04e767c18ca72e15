#include "harness/suites/limits_weight.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <thread>

#include "harness/suites/limits_host.hpp"
#include "harness/workload_protocol.hpp"
#include "runtime/cgroup/conversions.hpp"
#include "runtime/cgroup/mode.hpp"
#include "sys/wait.hpp"

namespace benchrun::harness {
namespace {

using reports::Verdict;

constexpr const char* cgroup_root = "/sys/fs/cgroup";
constexpr std::chrono::milliseconds poll_interval{20};

// The weight one instance was given as its cgroup file spells it, and what the host read back there.
struct WeightRead {
  std::uint64_t configured;
  std::optional<std::uint64_t> read;
  const char* file;
};

WeightRead weight_read(const HostView& host, std::uint64_t weight, bool cgroup_v1) {
  return cgroup_v1 ? WeightRead{runtime::weight_to_shares(weight), host.cpu_shares, "cpu.shares"}
                   : WeightRead{weight, host.cpu_weight, "cpu.weight"};
}

long long realtime_ms() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<long long>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

// One of the two instances: what it is, and what was seen of it.
struct Burner {
  InstanceSpec spec;
  std::filesystem::path relative;
  std::uint64_t weight = 0;
  std::unique_ptr<Instance> instance;
  std::optional<HostView> while_running;
  Observation seen;
  reports::Sample sample;
};

// Tears every instance down whatever happens (destroy() is idempotent).
struct TeardownAll {
  std::vector<Burner>& burners;
  explicit TeardownAll(std::vector<Burner>& torn_down) : burners(torn_down) {}
  TeardownAll(const TeardownAll&) = delete;
  TeardownAll& operator=(const TeardownAll&) = delete;
  ~TeardownAll() {
    for (Burner& burner : burners) {
      try {
        if (burner.instance) burner.instance->destroy();
      } catch (...) {  // the sweep of the next run removes what a failed teardown left
      }
    }
  }
};

// Reads the burner's console to its end and the host's view before teardown (limits.cpp's observe(), for one
// of two instances that run at once).
void finish(Burner& burner, runtime::CgroupMode mode, sys::MonotonicNs deadline) {
  WorkloadView& workload = burner.seen.workload;
  while (std::optional<sys::ConsoleLine> line = burner.instance->next_line(deadline)) {
    if (!is_result_line(line->text)) continue;
    const reports::WorkloadResult result = parse_result_line(line->text);
    take_result(result, workload, burner.sample);
  }
  const InstanceExit exit = burner.instance->wait_exit(deadline);
  workload.oom_killed = exit.oom_killed;
  if (cgroup_exists(mode, cgroup_root, burner.relative)) {
    burner.seen.host = read_host_view(mode, cgroup_root, burner.relative);
  } else {
    burner.seen.host = merge_final_counters(burner.while_running.value_or(HostView{}),
                                            read_host_view(mode, cgroup_root, burner.relative.parent_path()));
  }
}

}  // namespace

double expected_heavy_share(bool cgroup_v1) {
  const auto light = static_cast<double>(cgroup_v1 ? runtime::weight_to_shares(light_cpu_weight) : light_cpu_weight);
  const auto heavy = static_cast<double>(cgroup_v1 ? runtime::weight_to_shares(heavy_cpu_weight) : heavy_cpu_weight);
  return heavy / (light + heavy);
}

std::vector<Verdict> judge_cpu_weight(const LimitCheck& check, const WeightObservation& seen) {
  const double expected = expected_heavy_share(seen.cgroup_v1);
  const std::string cpuset = check.limits.cpuset_cpus.value_or("");
  Verdict verdict;
  verdict.check = "cpu.weight";
  verdict.configured = expected;
  verdict.unit = "share of the CPU";
  verdict.tolerance = cpu_weight_tolerance;
  std::vector<std::string> failures;

  for (const auto& [seen_one, weight, which] :
       {std::tuple{&seen.light, light_cpu_weight, "lighter"}, std::tuple{&seen.heavy, heavy_cpu_weight, "heavier"}}) {
    const WeightRead read = weight_read(seen_one->host, weight, seen.cgroup_v1);
    if (read.read != read.configured) {
      failures.push_back(read.read ? fmt::format("the {} instance's {} reads {}, not {}", which, read.file, *read.read,
                                                 read.configured)
                                   : fmt::format("the host cannot read the {} instance's {}", which, read.file));
    }
    const std::optional<std::uint64_t> effective =
        seen_one->host.cpuset_effective ? cpu_list_mask(*seen_one->host.cpuset_effective) : std::nullopt;
    if (!effective || effective != cpu_list_mask(cpuset)) {
      failures.push_back(fmt::format("the {} instance's effective cpuset reads {}, not CPU {}", which,
                                     seen_one->host.cpuset_effective.value_or("nothing"), cpuset));
    }
  }

  std::string figures;
  const auto share_of = [](double light, double heavy) { return light + heavy > 0 ? heavy / (light + heavy) : 0.0; };
  const auto error_of = [&](double share) { return (share / expected - 1) * 100; };
  if (!seen.light.host.cpu_usage_ns || !seen.heavy.host.cpu_usage_ns) {
    failures.emplace_back("the host cannot read both instances' CPU usage");
  } else {
    const double light_ms = static_cast<double>(*seen.light.host.cpu_usage_ns) / 1e6;
    const double heavy_ms = static_cast<double>(*seen.heavy.host.cpu_usage_ns) / 1e6;
    const double share = share_of(light_ms, heavy_ms);
    verdict.measured = share;
    figures = fmt::format(
        "cgroups {:.0f} ms (weight {}) and {:.0f} ms (weight {}): the heavier's share {:.3f} "
        "against {:.3f}, error {:+.1f} %",
        heavy_ms, heavy_cpu_weight, light_ms, light_cpu_weight, share, expected, error_of(share));
    if (!values_close(share, expected, cpu_weight_tolerance)) failures.push_back(figures);
  }

  const std::optional<double> light_own = workload_metric(seen.light, "burner_cpu_ms");
  const std::optional<double> heavy_own = workload_metric(seen.heavy, "burner_cpu_ms");
  if (!light_own || !heavy_own) {
    failures.push_back(fmt::format("the burners reported no CPU time: {} (lighter), {} (heavier)",
                                   how_it_ended(seen.light.workload), how_it_ended(seen.heavy.workload)));
  } else {
    const double share = share_of(*light_own, *heavy_own);
    const std::string own = fmt::format("burners {:.0f} and {:.0f} ms of their own: {:.3f}, error {:+.1f} %",
                                        *heavy_own, *light_own, share, error_of(share));
    if (!values_close(share, expected, cpu_weight_tolerance)) failures.push_back(own);
    figures += (figures.empty() ? "" : "; ") + own;
    const double skew = std::fabs(workload_metric(seen.light, "burner_late_ms").value_or(0) -
                                  workload_metric(seen.heavy, "burner_late_ms").value_or(0));
    if (skew > weight_start_skew_ms) {
      failures.push_back(
          fmt::format("the burns started {:.0f} ms apart (at most {:.0f}): a launch took longer than "
                      "the {} ms lead",
                      skew, weight_start_skew_ms, weight_start_lead_ms));
    }
  }

  verdict.pass = failures.empty();
  if (verdict.pass) {
    verdict.why = fmt::format(
        "both on CPU {}: {}; within {:.0f} % (the width of test_cpucg_weight_overprovisioned's 35 % on "
        "the usage steps)",
        cpuset, figures, cpu_weight_tolerance * 100);
  } else {
    verdict.why = fmt::format("{}{}", fmt::join(failures, "; "),
                              seen.limit_applied ? "" : " (ran without its limit: --limits-off)");
  }
  if (!seen.heavy.host.note.empty()) verdict.why += fmt::format(" ({})", seen.heavy.host.note);
  return {verdict};
}

StepResult measure_cpu_weight(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off) {
  StepResult result;
  const runtime::CgroupMode mode = runtime::detect_cgroup_mode(cgroup_root);
  const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(input.timeout).count();
  const long long start_at_ms = realtime_ms() + static_cast<long long>(weight_start_lead_ms);

  std::vector<Burner> burners(2);
  for (std::size_t index = 0; index < burners.size(); ++index) {
    Burner& burner = burners[index];
    burner.weight = index == 0 ? light_cpu_weight : heavy_cpu_weight;
    burner.spec = instance_spec(input.test_case, input.next_instance_name());
    burner.spec.workload_args = {fmt::format("{}", weight_burn_ms), fmt::format("{}", start_at_ms)};
    burner.spec.limits.cpu_weight = limit_off ? std::nullopt : std::optional(burner.weight);
    burner.relative = instance_cgroup_relative(backend.kind(), burner.spec.name).value_or("");
    burner.sample.backend = backend.name();
  }
  const TeardownAll guard{burners};
  std::string failed;
  try {
    for (Burner& burner : burners) {
      burner.sample.started_at_monotonic_ns = sys::monotonic_now();
      burner.instance = backend.launch(burner.spec, deadline);
    }
    // While both sleep towards the start: their weights and cpusets as the runtime wrote them (crun and runc
    // remove the cgroup when the init exits; ours keeps it, and the read after the exit supersedes this one).
    while (realtime_ms() < start_at_ms + static_cast<long long>(weight_burn_ms) / 2) {
      bool all_read = true;
      for (Burner& burner : burners) {
        HostView view = read_host_view(mode, cgroup_root, burner.relative);
        if (cgroup_exists(mode, cgroup_root, burner.relative) && (view.cpu_shares || view.cpu_weight)) {
          burner.while_running = std::move(view);
        } else {
          all_read = false;
        }
      }
      if (all_read && realtime_ms() >= start_at_ms) break;
      std::this_thread::sleep_for(poll_interval);
    }
    for (Burner& burner : burners) {
      finish(burner, mode, deadline);
      burner.sample.ok = true;
    }
  } catch (const sys::Interrupted&) {
    throw;
  } catch (const sys::Error& error) {
    failed = error.what();
    const reports::Failure failure = step_failure(error);
    for (Burner& burner : burners) {
      if (!burner.sample.ok) burner.sample.failure = failure;
    }
  }
  for (Burner& burner : burners) {
    if (burner.instance) burner.instance->destroy();
  }

  if (failed.empty()) {
    WeightObservation seen{burners[0].seen, burners[1].seen, runtime::uses_v1_controllers(mode), !limit_off};
    result.verdicts = judge_cpu_weight(check, seen);
  } else {
    Verdict verdict;
    verdict.check = "cpu.weight";
    verdict.pass = false;
    verdict.why = fmt::format("the check's instances failed: {}", failed);
    result.verdicts.push_back(std::move(verdict));
  }
  for (Burner& burner : burners) result.samples.push_back(std::move(burner.sample));
  return result;
}

LimitCheck cpu_weight_check(const std::string& cpuset) {
  LimitCheck check{"cpu-weight",
                   "two burners on one CPU share it in proportion to their weights (300 against 100: 0.75)",
                   "burner",
                   {fmt::format("{}", weight_burn_ms)},
                   {},
                   nullptr,
                   &measure_cpu_weight};
  check.limits.cpuset_cpus = cpuset;
  check.limits.cpu_weight = heavy_cpu_weight;
  return check;
}

}  // namespace benchrun::harness
