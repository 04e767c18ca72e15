#include "harness/runner.hpp"

#include <sys/random.h>

#include <fmt/format.h>
#include <ctime>
#include <thread>

#include "sys/wait.hpp"

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

namespace {

// A warm sample right after another sample of the same backend is primed by it; one that opens the
// backend's turn follows another backend (or nothing) and needs a launch of its own backend first.
bool needs_primer(const std::vector<reports::StartMode>& start_modes, std::size_t index) {
  return start_modes[index] == reports::StartMode::warm && index == 0;
}

// Where a step's results stand in the run: what the runner stamps on each of them.
struct StepPlace {
  const reports::Case& test_case;
  const Backend& backend;
  int repetition = 0;
  bool warmup = false;
  reports::StartMode start_mode = reports::StartMode::cold;
};

void stamp(StepResult& result, const StepPlace& place) {
  for (auto& sample : result.samples) {
    if (sample.backend.empty()) sample.backend = place.backend.name();
    sample.case_name = place.test_case.name;
    sample.repetition = place.repetition;
    sample.warmup = place.warmup;
    sample.start_mode = place.start_mode;
  }
  for (auto& series : result.series) {
    if (series.backend.empty()) series.backend = place.backend.name();
    series.case_name = place.test_case.name;
  }
  for (auto& verdict : result.verdicts) {
    if (verdict.backend.empty()) verdict.backend = place.backend.name();
    verdict.case_name = place.test_case.name;
  }
}

}  // namespace

int launches_per_round(const std::vector<reports::StartMode>& start_modes) {
  return static_cast<int>(start_modes.size()) + (!start_modes.empty() && needs_primer(start_modes, 0) ? 1 : 0);
}

int steps_in(const RunPlan& plan) {
  return (plan.warmup + plan.runs) * static_cast<int>(plan.cases.size() * plan.backends.size()) *
         launches_per_round(plan.start_modes);
}

RunOutcome run_plan(const RunPlan& plan, const Step& step, reports::SamplesLog& log, Progress& progress) {
  RunOutcome outcome;
  int instance_number = 0;
  const std::function<std::string()> next_instance_name = [&] { return instance_name(plan.run_id, instance_number++); };
  const int rounds = plan.warmup + plan.runs;
  try {
    for (int round = 0; round < rounds; ++round) {
      const bool warmup = round < plan.warmup;
      const int repetition = warmup ? round : round - plan.warmup;
      const std::string round_label = fmt::format("{} #{}", warmup ? "warm-up" : "run", repetition + 1);
      for (const reports::Case& test_case : plan.cases) {
        const StepInput input{test_case, next_instance_name, plan.timeout};
        const std::string case_label = plan.cases.size() > 1 ? test_case.name + " " : "";
        for (const auto& backend : plan.backends) {
          for (std::size_t index = 0; index < plan.start_modes.size(); ++index) {
            const reports::StartMode start_mode = plan.start_modes[index];
            if (start_mode == reports::StartMode::cold) std::this_thread::sleep_for(plan.cold_settle);
            if (needs_primer(plan.start_modes, index)) {
              progress.start_case(fmt::format("{} {}primer for warm {}", backend->name(), case_label, round_label));
              (void)step(*backend, input);  // only its launches matter: they warm the host
              progress.finish_case();
            }
            progress.start_case(
                fmt::format("{} {}{} {}", backend->name(), case_label, reports::to_string(start_mode), round_label));
            StepResult result = step(*backend, input);
            stamp(result, {test_case, *backend, repetition, warmup, start_mode});
            for (auto& sample : result.samples) {
              log.append(sample);
              outcome.samples.push_back(std::move(sample));
            }
            for (auto& series : result.series) outcome.series.push_back(std::move(series));
            for (auto& verdict : result.verdicts) outcome.verdicts.push_back(std::move(verdict));
            for (auto& note : result.notes) outcome.notes.push_back(std::move(note));
            progress.finish_case();
            if (result.interrupted) throw sys::Interrupted("the step stopped on a stop request");
          }
        }
      }
    }
  } catch (const sys::Interrupted&) {
    outcome.interrupted = true;
  }
  return outcome;
}

}  // namespace benchrun::harness
