#include "harness/suites/limits_observer_memory.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <cmath>

#include "harness/suites/limits_observer.hpp"

namespace benchrun::harness {
namespace {

using reports::Verdict;

constexpr std::uint64_t mib = 1ULL << 20;
// The memory check's limit (memory_check_limit_bytes), so the two checks judge the same limit; stress-ng asks
// for twice it, so it cannot fit by luck.
constexpr std::uint64_t vm_bytes = 2 * memory_check_limit_bytes;
constexpr const char* stressor = "vm";
constexpr const char* stress_seconds = "3";
constexpr const char* hold_seconds = "0.5";
constexpr std::string_view kill_said = ": assuming killed by OOM killer";
constexpr std::string_view completed_said = "successful run completed in ";

double to_mib(double bytes) { return bytes / static_cast<double>(mib); }

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> found;
  while (!text.empty()) {
    const std::size_t start = text.find_first_not_of(" \t\r");
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    const std::size_t end = text.find_first_of(" \t\r");
    found.push_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end);
  }
  return found;
}

// "stress-ng: LEVEL: [PID] MESSAGE" -> {LEVEL, MESSAGE}; nullopt for a line stress-ng's logger did not write.
std::optional<std::pair<std::string_view, std::string_view>> stress_ng_message(std::string_view line) {
  constexpr std::string_view prefix = "stress-ng: ";
  if (!line.starts_with(prefix)) return std::nullopt;
  line.remove_prefix(prefix.size());
  const std::size_t colon = line.find(':');
  const std::size_t pid_end = line.find("] ");
  if (colon == std::string_view::npos || pid_end == std::string_view::npos || pid_end < colon) return std::nullopt;
  return std::pair{line.substr(0, colon), line.substr(pid_end + 2)};
}

// How stress-ng (the workload, through the shell's `exit $status`) ended.
std::string stress_ng_exit(const WorkloadView& workload) {
  if (!workload.result_seen) return "no RESULT from benchinit";
  if (workload.signal) return fmt::format("killed by signal {}", *workload.signal);
  return fmt::format("exited {}", workload.exit_code.value_or(-1));
}

}  // namespace

StressNgKillReport parse_stress_ng_kills(const std::vector<std::string>& lines, std::string_view stressor_name) {
  StressNgKillReport report;
  bool rss_column = false;  // the --metrics table's header named "RSS Max" (--metrics-brief has none)
  for (const std::string& line : lines) {
    const auto message = stress_ng_message(line);
    if (!message) continue;
    const auto [level, text] = *message;
    if (level == "fail" || level == "error") report.problems.push_back(line);
    if (text.starts_with(stressor_name) && text.substr(stressor_name.size()).starts_with(kill_said)) {
      ++report.oom_kills;
    } else if (text.starts_with(completed_said)) {
      std::string_view length = text.substr(completed_said.size());
      while (!length.empty() && (length.back() == ' ' || length.back() == '\r')) length.remove_suffix(1);
      report.completed = true;
      if (length.ends_with('s')) report.run_s = parse_number(length.substr(0, length.size() - 1));
    } else if (level == "metrc") {
      if (text.find("RSS Max") != std::string_view::npos) rss_column = true;
      const std::vector<std::string_view> row = words(text);
      // stressor, bogo ops, real, usr, sys, bogo ops/s real, bogo ops/s usr+sys, CPU % per instance, RSS Max.
      if (rss_column && row.size() == 9 && row.front() == stressor_name) report.max_rss_kb = parse_number(row.back());
    }
  }
  return report;
}

std::vector<Verdict> judge_memory_stress_ng(const LimitCheck& check, const Observation& seen) {
  const std::uint64_t limit = check.limits.memory_bytes.value_or(0);
  const HostView& host = seen.host;
  const StressNgKillReport stress = parse_stress_ng_kills(seen.workload.output, stressor);
  const std::string ended = stress_ng_exit(seen.workload);

  // stress-ng's own report, the cgroup's count, and the two compared.
  Verdict oom =
      make_verdict("memory.oom_kill.stress-ng", 1.0, static_cast<double>(stress.oom_kills), "OOM kills", std::nullopt);
  std::vector<std::string> oom_failures;
  const std::string stress_text =
      stress.completed
          ? fmt::format(
                "stress-ng reported its {} stressor killed by the OOM killer {} time{} and completed in "
                "{:.2f} s of its {} s ({})",
                stressor, stress.oom_kills, stress.oom_kills == 1 ? "" : "s", stress.run_s.value_or(0), stress_seconds,
                ended)
          : fmt::format(
                "stress-ng reported its {} stressor killed by the OOM killer {} time{} and no completed run "
                "({}{}{})",
                stressor, stress.oom_kills, stress.oom_kills == 1 ? "" : "s", ended,
                stress.problems.empty() ? "" : "; ", fmt::join(stress.problems, "; "));
  if (stress.oom_kills != 1 || !stress.completed || seen.workload.exit_code != 0) oom_failures.push_back(stress_text);
  std::string host_text = "the host cannot read the OOM-kill counter of the instance's cgroup";
  if (host.oom_kills) {
    host_text = fmt::format("the cgroup counted {}", *host.oom_kills);
    if (*host.oom_kills != 1) oom_failures.push_back(fmt::format("{} OOM kills, not 1", host_text));
    if (*host.oom_kills != stress.oom_kills) {
      oom_failures.push_back(fmt::format("stress-ng and the cgroup disagree: stress-ng {}, the cgroup {}",
                                         stress.oom_kills, *host.oom_kills));
    }
  } else {
    oom_failures.push_back(host_text);
  }
  conclude(oom, oom_failures,
           fmt::format("{} under {:.0f} MiB; {}: they agree (exact: one hog, one kill, as test_memcg_oom_events)",
                       stress_text, to_mib(static_cast<double>(limit)), host_text),
           seen);

  // The cgroup's high-water mark and limit, as judge_memory, and stress-ng's own resident set beside them.
  Verdict peak =
      make_verdict("memory.peak_within_limit.stress-ng", to_mib(static_cast<double>(limit)),
                   host.memory_peak_bytes
                       ? std::optional<reports::VerdictValue>(to_mib(static_cast<double>(*host.memory_peak_bytes)))
                       : std::nullopt,
                   "MiB", std::nullopt);
  std::vector<std::string> peak_failures;
  if (host.memory_limit_bytes != limit) {
    peak_failures.push_back(host.memory_limit_bytes ? fmt::format("the cgroup's limit reads {:.1f} MiB",
                                                                  to_mib(static_cast<double>(*host.memory_limit_bytes)))
                                                    : std::string("the cgroup has no memory limit to read"));
  }
  if (!host.memory_peak_bytes) {
    peak_failures.emplace_back("the host cannot read the cgroup's memory high-water mark");
  } else if (*host.memory_peak_bytes > limit) {
    peak_failures.push_back(fmt::format("the cgroup's usage peaked at {:.1f} MiB, over the limit",
                                        to_mib(static_cast<double>(*host.memory_peak_bytes))));
  }
  std::string rss_text = "stress-ng's --metrics table gave no RSS Max for its vm stressor";
  if (stress.max_rss_kb) {
    const double rss_mib = *stress.max_rss_kb / 1024.0;
    rss_text = fmt::format("stress-ng's own RSS Max {:.1f} MiB of the {:.0f} MiB it asked for", rss_mib,
                           to_mib(static_cast<double>(vm_bytes)));
    if (*stress.max_rss_kb * 1024.0 >= static_cast<double>(vm_bytes))
      peak_failures.push_back(fmt::format("{}: it held them all", rss_text));
  } else {
    peak_failures.push_back(rss_text);
  }
  conclude(peak, peak_failures,
           fmt::format("the cgroup's usage peaked at {:.1f} MiB under a {:.0f} MiB limit (exact: the page counter "
                       "refuses a charge over it); {}",
                       to_mib(static_cast<double>(host.memory_peak_bytes.value_or(0))),
                       to_mib(static_cast<double>(limit)), rss_text),
           seen);
  return {oom, peak};
}

LimitCheck memory_stress_ng_check() {
  // stress-ng's exit status is the workload's; the shell stays after it so the host reads the kill.
  const std::string script = fmt::format(
      "{} --{} 1 --vm-bytes {}M --vm-keep --oomable --timeout {} --metrics -v 2>&1; status=$?; /bin/sleep {}; "
      "exit $status",
      stress_ng_path, stressor, vm_bytes / mib, stress_seconds, hold_seconds);
  LimitCheck check{"memory-stress-ng",
                   "stress-ng's vm stressor past the memory limit: OOM-killed once by its own report and the cgroup's",
                   "/bin/sh",
                   {"-c", script},
                   {},
                   &judge_memory_stress_ng};
  check.limits.memory_bytes = memory_check_limit_bytes;
  check.observer = "stress-ng";
  return check;
}

}  // namespace benchrun::harness
