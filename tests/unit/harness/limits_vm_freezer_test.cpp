// The freezer check's judgement on a guest, pure: a paused guest passes all three verdicts with its figures, and
// each flips to fail for what a run without the pause (--limits-off) observes and for the ways a pause can go
// wrong (a tick in the window, vCPU or other QEMU threads on the CPU, a lost tick, never running again).
#include "harness/suites/limits_vm_freezer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/suites/limits_freezer.hpp"
#include "vm/tunables_view.hpp"

namespace benchrun::harness {
namespace {

using ::testing::HasSubstr;
namespace key = vm::view_key;

constexpr sys::MonotonicNs ms_ns = 1'000'000;

const LimitCheck& freezer() {
  static const std::vector<LimitCheck> checks = limit_checks(2);
  const LimitCheck* found = find_limit_check(checks, "freezer");
  if (found == nullptr) throw std::runtime_error("no freezer check");
  return *found;
}

std::map<std::string, reports::Verdict> judge(const VmFreezerObservation& seen) {
  std::map<std::string, reports::Verdict> verdicts;
  for (auto& verdict : judge_vm_freezer(freezer(), seen)) verdicts[verdict.check] = verdict;
  return verdicts;
}

std::map<std::string, double> host(double state, double vcpu_ns, double other_ns) {
  return {{key::domain_state, state},
          {key::domain_state_reason, 1},
          {key::vcpu_cpu_now_ns, vcpu_ns},
          {key::other_threads_cpu_now_ns, other_ns},
          {std::string(key::thread_cpu_now_prefix) + "CPU 0/TCG", vcpu_ns},
          {std::string(key::thread_cpu_now_prefix) + "qemu-system-x86", other_ns}};
}

// A guest paused from 10 s to 12 s on the host's clock as it ran here: ticks every 100 ms up to the pause, one
// in flight read 3 ms into the window, none in it, the rest after the resume; paused at both ends, no CPU used.
VmFreezerObservation paused_guest() {
  VmFreezerObservation seen;
  seen.window_start = 10'000 * ms_ns;
  seen.window_end = 12'000 * ms_ns;
  seen.thawed_at = 12'012 * ms_ns;
  seen.suspend_ms = 24.0;
  seen.resume_ms = 11.8;
  seen.at_start = host(vm::domain_state_paused, 3.1e9, 1.2e9);
  seen.at_end = host(vm::domain_state_paused, 3.1e9, 1.2e9);
  seen.after_thaw = host(vm::domain_state_running, 3.1e9, 1.2e9);
  std::uint64_t number = 0;
  for (sys::MonotonicNs at = 9'200 * ms_ns; at < 10'000 * ms_ns; at += 100 * ms_ns)
    seen.ticks.push_back({++number, at});
  seen.ticks.push_back({++number, 10'003 * ms_ns});
  for (sys::MonotonicNs at = 12'050 * ms_ns; at < 15'000 * ms_ns; at += 100 * ms_ns)
    seen.ticks.push_back({++number, at});
  seen.workload.result_seen = true;
  seen.workload.exit_code = 0;
  seen.workload.metrics = {{"ticker_ticks", static_cast<double>(number)},
                           {"ticker_max_gap_ms", 16.7},
                           {"ticker_iterations", 207'579},
                           {"ticker_checksum_ok", 1}};
  seen.powered_off = true;
  return seen;
}

// What --limits-off observes: never paused, the vCPU busy, ticks all through the window.
VmFreezerObservation running_guest() {
  VmFreezerObservation seen = paused_guest();
  seen.limit_applied = false;
  seen.suspend_ms.reset();
  seen.resume_ms.reset();
  seen.at_start = host(vm::domain_state_running, 3.1e9, 1.2e9);
  seen.at_end = host(vm::domain_state_running, 3.85e9, 1.2e9);
  seen.after_thaw = seen.at_end;
  seen.ticks.clear();
  std::uint64_t number = 0;
  for (sys::MonotonicNs at = 9'200 * ms_ns; at < 15'000 * ms_ns; at += 100 * ms_ns)
    seen.ticks.push_back({++number, at});
  seen.workload.metrics["ticker_ticks"] = static_cast<double>(number);
  return seen;
}

std::string reasons(const std::map<std::string, reports::Verdict>& verdicts) {
  std::string text;
  for (const auto& [name, verdict] : verdicts) text += name + ": " + verdict.why + "\n";
  return text;
}

TEST(VmFreezer, ParsesTheTickerTickLinesAndNothingElse) {
  EXPECT_EQ(parse_tick_line("ticker: tick 1"), 1U);
  EXPECT_EQ(parse_tick_line("ticker: tick 38"), 38U);
  EXPECT_EQ(parse_tick_line("ticker: tick "), std::nullopt);
  EXPECT_EQ(parse_tick_line("ticker: tick 3x"), std::nullopt);
  EXPECT_EQ(parse_tick_line("ticker: 38 chunks in 4000.0 ms, largest gap 16.7 ms, checksum right"), std::nullopt);
  EXPECT_EQ(parse_tick_line("[    1.2] ticker: tick 4"), std::nullopt);
}

TEST(VmFreezer, APausedGuestPassesEveryVerdictWithItsFigures) {
  const auto verdicts = judge(paused_guest());
  ASSERT_EQ(verdicts.size(), 3U) << reasons(verdicts);
  for (const auto& [name, verdict] : verdicts) EXPECT_TRUE(verdict.pass) << name << ": " << verdict.why;
  EXPECT_EQ(std::get<double>(*verdicts.at("freezer.no_progress").measured), 0.0);
  EXPECT_EQ(verdicts.at("freezer.no_progress").tolerance, vm_freezer_vcpu_cpu_share);
  EXPECT_EQ(std::get<double>(*verdicts.at("freezer.gap_seen").configured), freezer_window_ms);
  EXPECT_NEAR(std::get<double>(*verdicts.at("freezer.gap_seen").measured), 2047.0, 1e-6);
  EXPECT_THAT(verdicts.at("freezer.gap_seen").why, HasSubstr("(1 in flight before that, the last 3.0 ms into it)"));
  EXPECT_EQ(std::get<std::string>(*verdicts.at("freezer.resumed_intact").measured), "intact");
  EXPECT_THAT(verdicts.at("freezer.resumed_intact").why, HasSubstr("ticks 1 to 39 arrived in order"));
}

TEST(VmFreezer, WithoutThePauseAllThreeFailSayingWhatTheHostSaw) {
  const auto verdicts = judge(running_guest());
  ASSERT_EQ(verdicts.size(), 3U);
  for (const auto& [name, verdict] : verdicts) {
    EXPECT_FALSE(verdict.pass) << name;
    EXPECT_THAT(verdict.why, HasSubstr("--limits-off")) << name;
  }
  EXPECT_THAT(verdicts.at("freezer.no_progress").why,
              HasSubstr("libvirt read the domain running at the start of the 2000 ms window and running at its end"));
  EXPECT_THAT(verdicts.at("freezer.no_progress").why, HasSubstr("QEMU's vCPU threads used 750.0 ms"));
  EXPECT_THAT(verdicts.at("freezer.gap_seen").why, HasSubstr("18 ticks arrived in the 2000 ms window"));
  EXPECT_THAT(verdicts.at("freezer.resumed_intact").why, HasSubstr("never read the domain paused"));
}

TEST(VmFreezer, ATickInTheWindowAfterTheInFlightSlackFailsTheGap) {
  VmFreezerObservation seen = paused_guest();
  // Renumbered so only the gap can fail: one more tick, 300 ms into the window.
  seen.ticks.insert(seen.ticks.begin() + 9, {10, 10'300 * ms_ns});
  for (std::size_t i = 10; i < seen.ticks.size(); ++i) seen.ticks[i].number = i + 1;
  seen.workload.metrics["ticker_ticks"] = static_cast<double>(seen.ticks.size());
  const auto verdicts = judge(seen);
  EXPECT_FALSE(verdicts.at("freezer.gap_seen").pass);
  EXPECT_THAT(verdicts.at("freezer.gap_seen").why,
              HasSubstr("1 ticks arrived in the 2000 ms window after its first 250"));
  EXPECT_TRUE(verdicts.at("freezer.resumed_intact").pass) << verdicts.at("freezer.resumed_intact").why;
}

TEST(VmFreezer, VcpuOrOtherQemuThreadsOnTheCpuInTheWindowFailNoProgress) {
  VmFreezerObservation vcpu = paused_guest();
  vcpu.at_end[key::vcpu_cpu_now_ns] += 25e6;
  EXPECT_FALSE(judge(vcpu).at("freezer.no_progress").pass);
  EXPECT_THAT(judge(vcpu).at("freezer.no_progress").why, HasSubstr("vCPU threads used 25.0 ms of CPU"));

  VmFreezerObservation under = paused_guest();
  under.at_end[key::vcpu_cpu_now_ns] += 15e6;  // under the 20 ms: room for the pause taking hold
  EXPECT_TRUE(judge(under).at("freezer.no_progress").pass) << judge(under).at("freezer.no_progress").why;

  VmFreezerObservation other = paused_guest();
  other.at_end[key::other_threads_cpu_now_ns] += 30e6;
  other.at_end[std::string(key::thread_cpu_now_prefix) + "qemu-system-x86"] += 30e6;
  const auto verdict = judge(other).at("freezer.no_progress");
  EXPECT_FALSE(verdict.pass);
  EXPECT_THAT(verdict.why, HasSubstr("other threads used 30.0 ms of CPU in the window (at most 20.0) "
                                     "(qemu-system-x86 30.0 ms)"));
}

TEST(VmFreezer, ALostOrRepeatedTickOrAMissingCountFailsResumedIntact) {
  VmFreezerObservation lost = paused_guest();
  lost.ticks.erase(lost.ticks.begin() + 12);
  const auto lost_verdict = judge(lost).at("freezer.resumed_intact");
  EXPECT_FALSE(lost_verdict.pass);
  EXPECT_THAT(lost_verdict.why, HasSubstr("tick 14 arrived where tick 13 was due"));
  EXPECT_THAT(lost_verdict.why, HasSubstr("the ticker printed 39 ticks, the host received 38"));

  VmFreezerObservation repeated = paused_guest();
  repeated.ticks.insert(repeated.ticks.begin() + 12, repeated.ticks[11]);
  EXPECT_FALSE(judge(repeated).at("freezer.resumed_intact").pass);

  VmFreezerObservation no_count = paused_guest();
  no_count.workload.metrics.erase("ticker_ticks");
  EXPECT_THAT(judge(no_count).at("freezer.resumed_intact").why, HasSubstr("the ticker reported no tick count"));
}

TEST(VmFreezer, NotRunningAfterTheResumeOrNoTicksAfterItFailsResumedIntact) {
  VmFreezerObservation still_paused = paused_guest();
  still_paused.after_thaw[key::domain_state] = vm::domain_state_paused;
  EXPECT_THAT(judge(still_paused).at("freezer.resumed_intact").why,
              HasSubstr("libvirt read the domain paused after the resume"));

  VmFreezerObservation stopped = paused_guest();
  while (stopped.ticks.back().at > stopped.thawed_at) stopped.ticks.pop_back();
  stopped.workload.metrics["ticker_ticks"] = static_cast<double>(stopped.ticks.size());
  const auto verdicts = judge(stopped);
  EXPECT_FALSE(verdicts.at("freezer.resumed_intact").pass);
  EXPECT_THAT(verdicts.at("freezer.gap_seen").why, HasSubstr("no tick arrived after the thaw"));
}

TEST(VmFreezer, AChangedMemoryAFailedExitOrNoPowerOffFailsResumedIntact) {
  VmFreezerObservation changed = paused_guest();
  changed.workload.metrics["ticker_checksum_ok"] = 0;
  changed.workload.exit_code = 1;
  const auto why = judge(changed).at("freezer.resumed_intact").why;
  EXPECT_THAT(why, HasSubstr("its memory changed"));

  VmFreezerObservation no_poweroff = paused_guest();
  no_poweroff.powered_off = false;
  EXPECT_THAT(judge(no_poweroff).at("freezer.resumed_intact").why, HasSubstr("did not power off"));
}

TEST(VmFreezer, AGuestNeverReadFailsTheHostSideSayingSo) {
  VmFreezerObservation unread = paused_guest();
  unread.at_start.clear();
  unread.at_end.clear();
  const auto verdict = judge(unread).at("freezer.no_progress");
  EXPECT_FALSE(verdict.pass);
  EXPECT_THAT(verdict.why, HasSubstr("unreadable at the start"));
  EXPECT_THAT(verdict.why, HasSubstr("no vCPU thread of QEMU was read"));
}

}  // namespace
}  // namespace benchrun::harness
