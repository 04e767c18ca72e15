#include "harness/runner.hpp"

#include <sys/random.h>

#include <ctime>
#include <fmt/format.h>

namespace benchrun::harness {

std::string instance_name(const std::string& run_id, int instance_number) {
  return fmt::format("benchrun-{}-{}", run_id, instance_number);
}

std::string instance_name(const std::string& run_id, std::string_view role) {
  return fmt::format("benchrun-{}-{}", run_id, role);
}

std::string make_run_id() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::uint16_t random = 0;
  if (getrandom(&random, sizeof random, 0) != sizeof random) random = static_cast<std::uint16_t>(::getpid());
  return fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}-{:04x}", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, random);
}

RunOutcome run_plan(const RunPlan& plan, const Measure& measure, reports::SamplesLog& log, Progress& progress) {
  RunOutcome outcome;
  int instance_number = 0;
  const int rounds = plan.warmup + plan.runs;
  for (int round = 0; round < rounds; ++round) {
    const bool warmup = round < plan.warmup;
    const int repetition = warmup ? round : round - plan.warmup;
    for (const auto& backend : plan.backends) {
      progress.start_case(fmt::format("{} {} #{}", backend->name(), warmup ? "warm-up" : "run", repetition + 1));
      const InstanceSpec spec{instance_name(plan.run_id, instance_number++), plan.workload, plan.workload_args,
                              plan.limits};
      try {
        reports::Sample sample = measure(*backend, spec, plan.timeout);
        sample.repetition = repetition;
        sample.warmup = warmup;
        log.append(sample);
        outcome.samples.push_back(std::move(sample));
      } catch (const Interrupted&) {
        outcome.interrupted = true;
        return outcome;
      }
      progress.finish_case();
    }
  }
  return outcome;
}

}  // namespace benchrun::harness
