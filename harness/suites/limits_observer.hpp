// The limits suite's independent observer: the CPU quota measured by a tool nobody here wrote, inside the
// same instance as our burner. Check `cpu-quota-stress-ng` (a case only with --observer stress-ng, and an
// image that holds /usr/bin/stress-ng, e.g. --image guest): one instance under the cpu-quota check's quota
// (0.25 CPU) runs our burner for 3 s, then `stress-ng --cpu 1 --timeout 3 --metrics --yaml FILE` and prints
// FILE. stress-ng's own figure is its cpu stressor's (user-time + system-time) / wall-clock-time from that
// report (getrusage of its workers). Judged, each within 10 % (test_cpucg_max's tolerance, as cpu-quota):
// - stress-ng's CPU time is not over what the quota allows in its wall time (the upper side only, as
//   cpu-quota: a quota promises a ceiling);
// - stress-ng and our burner agree: their CPUs (CPU time / wall time) are values_close, when both reached the
//   quota; one held below it by the host's load (a busy machine) measured the host, and the verdict says
//   so instead (run one after the other, they may meet different loads);
// - the host agrees with both: the cgroup's CPU usage is values_close to the burner's plus stress-ng's CPU
//   time (the cgroup also holds sh, cat and stress-ng's parent: a few ms);
// - the cgroup's quota reads back, and cpu.stat counted throttled periods.
// --limits-off cpu-quota-stress-ng runs it without the quota: stress-ng's figure passes the quota, and fails.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/suites/limits_checks.hpp"

namespace benchrun::harness {

// One stressor's figures from stress-ng's --yaml report ("metrics:" list), in seconds.
struct StressNgMetrics {
  std::string stressor;
  double wall_s = 0;
  double user_s = 0;
  double system_s = 0;
};

// The first stressor named `stressor` in the report's lines (as the console gave them); nullopt when absent
// or a figure is missing.
std::optional<StressNgMetrics> parse_stress_ng_yaml(const std::vector<std::string>& lines, std::string_view stressor);

std::vector<reports::Verdict> judge_cpu_quota_stress_ng(const LimitCheck& check, const Observation& seen);

LimitCheck cpu_quota_stress_ng_check();

// Where an image holds stress-ng (the program the check runs).
inline constexpr const char* stress_ng_path = "/usr/bin/stress-ng";

}  // namespace benchrun::harness
