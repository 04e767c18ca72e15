// The freezer check on the vm backend (issue 12: a frozen instance makes no progress and resumes intact). A guest
// freezes as a whole: libvirt pauses its vCPUs (virDomainSuspend, QEMU's `stop`) and lets them run on
// (virDomainResume), its memory and devices kept. The schedule is the container check's (limits_freezer.hpp):
// the ticker runs 4 s of its own time, the guest is paused 1 s after benchinit's READY, held paused for a 2 s
// window on the host's clock, resumed, and left to finish.
//
// A paused guest's own clock stops with it (under TCG the guest's time source is QEMU's virtual clock, which
// stops while the VM is stopped), so the ticker's own largest gap says nothing about the pause; the ticker prints
// "ticker: tick N" every 100 ms of its own time instead, and the host stamps each line as it arrives on the
// console (sys::ConsoleLine::at, CLOCK_MONOTONIC of the host). Three verdicts, as for containers:
// - freezer.no_progress (the host): libvirt reads the domain paused at the start and at the end of the window,
//   and QEMU's vCPU threads (schedstat, as tunables_view.hpp reads them) use at most 1 % of one CPU per vCPU over
//   it, the container check's threshold (a paused vCPU thread sleeps on a condition variable: 0 is expected, and
//   0.000 ms is what TCG guests here show). QEMU's other threads (main loop, RCU, I/O workers) are judged too, at
//   1 % of one CPU together: they could serve the monitor and the console while the guest is paused, but were
//   measured idle (0.0 ms over the window in every run here), so the whole QEMU process stands still as a frozen
//   cgroup does.
// - freezer.gap_seen (the workload, stamped by the host): no tick arrives in the window after its first 250 ms,
//   ticks arrived before it and after the thaw; measured: the largest gap between two ticks' arrivals. The 250 ms
//   of slack are for lines already in flight: the harness reads the console and pauses the guest from one
//   thread, so ticks the guest wrote before the pause took hold wait in the console fifo while virDomainSuspend
//   runs and are read (and stamped) only once it returned, later still on a busy host.
// - freezer.resumed_intact (both): libvirt read the domain paused, then running after the resume; the ticks the
//   host received are 1, 2, ... N without a hole or a repeat, N is the count the ticker reports, some of them
//   came after the thaw; the ticker reported its RESULT, exited 0, and a replay of its chunks on fresh memory
//   gave the same words; the guest powered off by itself.
// --limits-off freezer runs the same schedule without the pause: the ticks keep coming and all three fail.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "harness/backend.hpp"
#include "harness/suite.hpp"
#include "harness/suites/limits_checks.hpp"

namespace benchrun::harness {

// A tick line as the host received it.
struct VmTick {
  std::uint64_t number = 0;
  sys::MonotonicNs at = 0;  // host clock: when the line arrived
};

// What the freezer's guest showed. The host's reads are Instance::host_view_now figures (vm/tunables_view.hpp
// keys) at the window's start (the suspend returned), at its end (before the resume) and after the resume.
struct VmFreezerObservation {
  bool limit_applied = true;
  unsigned vcpus = 1;
  sys::MonotonicNs window_start = 0;
  sys::MonotonicNs window_end = 0;
  sys::MonotonicNs thawed_at = 0;  // the resume returned (--limits-off: when it would have been issued)
  std::optional<double> suspend_ms;
  std::optional<double> resume_ms;
  std::map<std::string, double> at_start;
  std::map<std::string, double> at_end;
  std::map<std::string, double> after_thaw;
  std::vector<VmTick> ticks;
  WorkloadView workload;
  bool powered_off = false;  // QEMU exited by itself after the workload's RESULT
};

// Runs the freezer check in a guest of `backend` (kind vm) and judges it.
StepResult measure_vm_freezer(Backend& backend, const StepInput& input, const LimitCheck& check, bool limit_off);

// The judgement, exposed for tests.
std::vector<reports::Verdict> judge_vm_freezer(const LimitCheck& check, const VmFreezerObservation& seen);

// "ticker: tick N" -> N; nullopt for any other line.
std::optional<std::uint64_t> parse_tick_line(std::string_view line);

inline constexpr double vm_freezer_tick_ms = 100.0;        // the ticker's interval, its own clock
inline constexpr double vm_freezer_in_flight_ms = 250.0;   // slack at the window's start (see above)
inline constexpr double vm_freezer_vcpu_cpu_share = 0.01;  // of one CPU per vCPU (and for the rest), the window

}  // namespace benchrun::harness
