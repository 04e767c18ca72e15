#include "harness/suites/limits_observer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace benchrun::harness {
namespace {

using reports::Verdict;

// The cpu-quota check's quota, period and tolerance (limits_checks.cpp), so the two checks read alike.
constexpr double quota_cpus = 0.25;
constexpr double cfs_period_us = 100'000;
constexpr double tolerance = 0.10;
constexpr const char* burn_ms = "3000";
constexpr const char* stress_seconds = "3";
constexpr const char* report_file = "/tmp/stress-ng.yaml";

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\r' || text.back() == '\n')) text.remove_suffix(1);
  return text;
}

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// test_cpucg_max's expectation over a wall-clock window: whole periods at the quota, and the last partial
// one up to the quota (as judge_cpu_quota).
double allowed_ms(double wall_ms) {
  const double quota_us = quota_cpus * cfs_period_us;
  const double window_us = wall_ms * 1000.0;
  const double periods = std::floor(window_us / cfs_period_us);
  const double remainder_us = window_us - periods * cfs_period_us;
  return (periods * quota_us + std::min(remainder_us, quota_us)) / 1000.0;
}

// Used what the quota allows, within the tolerance, or more.
bool reached_quota(double used_ms, double allowed) {
  return used_ms >= allowed || values_close(used_ms, allowed, tolerance);
}

}  // namespace

std::optional<StressNgMetrics> parse_stress_ng_yaml(const std::vector<std::string>& lines, std::string_view stressor) {
  bool in_metrics = false;
  std::optional<StressNgMetrics> found;
  std::optional<double> wall;
  std::optional<double> user;
  std::optional<double> system;
  for (const std::string& raw : lines) {
    const std::string_view line = trimmed(raw);
    if (line == "metrics:") {
      in_metrics = true;
      continue;
    }
    if (!in_metrics) continue;
    // A top-level key or the document's end closes the list.
    if (!raw.empty() && raw.front() != ' ' && raw.front() != '\t') {
      if (found) break;
      in_metrics = false;
      continue;
    }
    std::string_view entry = line;
    const bool item_start = entry.starts_with("- ");
    if (item_start) {
      if (found) break;  // the next stressor
      entry = trimmed(entry.substr(2));
    }
    const std::size_t colon = entry.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = trimmed(entry.substr(0, colon));
    const std::string_view value = trimmed(entry.substr(colon + 1));
    if (item_start && key == "stressor" && value == stressor) {
      found = StressNgMetrics{std::string(value)};
    } else if (found && key == "wall-clock-time") {
      wall = parse_number(value);
    } else if (found && key == "user-time") {
      user = parse_number(value);
    } else if (found && key == "system-time") {
      system = parse_number(value);
    }
  }
  if (!found || !wall || !user || !system || *wall <= 0) return std::nullopt;
  found->wall_s = *wall;
  found->user_s = *user;
  found->system_s = *system;
  return found;
}

std::vector<Verdict> judge_cpu_quota_stress_ng(const LimitCheck& check, const Observation& seen) {
  const HostView& host = seen.host;
  const double cpus = check.limits.cpus.value_or(0.0);
  Verdict verdict;
  verdict.check = "cpu.quota.stress-ng";
  verdict.configured = cpus;
  verdict.unit = "CPUs";
  verdict.tolerance = tolerance;
  std::vector<std::string> failures;
  const auto conclude_failed = [&] {
    verdict.pass = false;
    verdict.why = fmt::format("{}{}", fmt::join(failures, "; "),
                              seen.limit_applied ? "" : " (ran without its limit: --limits-off)");
    if (!host.note.empty()) verdict.why += fmt::format(" ({})", host.note);
    return std::vector<Verdict>{verdict};
  };
  const auto fail = [&](std::string why) {
    failures.push_back(std::move(why));
    return conclude_failed();
  };

  const std::optional<StressNgMetrics> stress = parse_stress_ng_yaml(seen.workload.output, "cpu");
  const std::optional<double> burner_cpu_ms = workload_metric(seen, "burner_cpu_ms");
  const std::optional<double> burner_wall_ms = workload_metric(seen, "burner_wall_ms");
  if (!stress) {
    return fail(fmt::format("no cpu stressor figures in stress-ng's --yaml report ({}; last line: '{}')",
                            how_it_ended(seen.workload),
                            seen.workload.output.empty() ? std::string() : seen.workload.output.back()));
  }
  if (!burner_cpu_ms || !burner_wall_ms || *burner_wall_ms <= 0)
    return fail(fmt::format("our burner reported no CPU and wall time: {}", how_it_ended(seen.workload)));

  const double stress_cpu_ms = (stress->user_s + stress->system_s) * 1000.0;
  const double stress_wall_ms = stress->wall_s * 1000.0;
  const double stress_cpus = stress_cpu_ms / stress_wall_ms;
  const double burner_cpus = *burner_cpu_ms / *burner_wall_ms;
  verdict.measured = stress_cpus;
  const double allowed = allowed_ms(stress_wall_ms);
  const std::string stress_text = fmt::format(
      "stress-ng (its --metrics usr+sys over wall) {:.0f} ms of CPU in {:.0f} ms = {:.3f} CPUs against "
      "{:.0f} ms allowed (error {:+.1f} %)",
      stress_cpu_ms, stress_wall_ms, stress_cpus, allowed, (stress_cpu_ms / allowed - 1) * 100);
  const std::string burner_text =
      fmt::format("our burner {:.0f} ms in {:.0f} ms = {:.3f} CPUs ({:+.1f} % from stress-ng)", *burner_cpu_ms,
                  *burner_wall_ms, burner_cpus, (burner_cpus / stress_cpus - 1) * 100);
  if (stress_cpu_ms > allowed && !values_close(stress_cpu_ms, allowed, tolerance))
    failures.push_back(fmt::format("{}: over the quota by more than 10 %", stress_text));
  // Both reached the quota: they must agree on it. One held below it by the host's load (others' work on a
  // busy machine) measured the host, not the quota: said, and not compared.
  const bool burner_reached = reached_quota(*burner_cpu_ms, allowed_ms(*burner_wall_ms));
  const bool stress_reached = reached_quota(stress_cpu_ms, allowed);
  std::string agreement = "both reached the quota and agree";
  if (!burner_reached || !stress_reached) {
    agreement = fmt::format("not compared: the host's load held {} below the quota",
                            !stress_reached ? (!burner_reached ? "both" : "stress-ng") : "our burner");
  } else if (!values_close(stress_cpus, burner_cpus, tolerance)) {
    failures.push_back(fmt::format("stress-ng and our burner disagree: {}; {}", stress_text, burner_text));
  }

  const double counted_ms = stress_cpu_ms + *burner_cpu_ms;
  std::string host_text = "the host cannot read the cgroup's CPU usage";
  if (!host.cpu_usage_ns) {
    failures.push_back(host_text);
  } else {
    const double host_ms = static_cast<double>(*host.cpu_usage_ns) / 1e6;
    host_text = fmt::format("the cgroup {:.0f} ms against the {:.0f} ms both counted ({:+.1f} %)", host_ms, counted_ms,
                            (host_ms / counted_ms - 1) * 100);
    if (!values_close(host_ms, counted_ms, tolerance)) failures.push_back(host_text);
  }
  const auto quota_us = static_cast<std::uint64_t>(std::llround(cpus * cfs_period_us));
  if (host.cpu_quota_us != quota_us) {
    failures.push_back(host.cpu_quota_us ? fmt::format("the cgroup's quota reads {} us per {} us", *host.cpu_quota_us,
                                                       host.cpu_period_us.value_or(0))
                                         : std::string("the cgroup has no CPU quota"));
  }
  if (!host.nr_throttled || *host.nr_throttled == 0) {
    failures.push_back(fmt::format("cpu.stat shows no throttled period ({} of {} periods)",
                                   host.nr_throttled.value_or(0), host.nr_periods.value_or(0)));
  }
  if (!failures.empty()) return conclude_failed();
  verdict.pass = true;
  verdict.why =
      fmt::format("{}; {}: {}; {}; each within 10 % (test_cpucg_max)", stress_text, burner_text, agreement, host_text);
  if (!host.note.empty()) verdict.why += fmt::format(" ({})", host.note);
  return {verdict};
}

LimitCheck cpu_quota_stress_ng_check() {
  const std::string script =
      fmt::format("/bench/bin/burner {} && {} --cpu 1 --timeout {} --metrics --yaml {} >&2 && /bin/cat {}", burn_ms,
                  stress_ng_path, stress_seconds, report_file, report_file);
  LimitCheck check{"cpu-quota-stress-ng",
                   "stress-ng's own CPU figure under the quota agrees with the quota, our burner and the host",
                   "/bin/sh",
                   {"-c", script},
                   {},
                   &judge_cpu_quota_stress_ng};
  check.limits.cpus = quota_cpus;
  check.observer = "stress-ng";
  return check;
}

}  // namespace benchrun::harness
