// An instance's console read on a check's schedule: up to benchinit's READY, up to a point in time, to the end.
// Every RESULT line is taken as the other limits checks take it (take_result: the workload's view and the
// step's sample); every line, RESULT or not, goes to the optional per-line hook first (the vm freezer stamps its
// ticks there, the vm I/O checks keep ioprobe's lines). Shared by the freezer checks of the runtimes
// (limits_freezer.cpp) and of the vm backend (limits_vm_freezer.cpp), and the vm I/O checks (limits_vm_io.cpp).
#pragma once

#include <functional>

#include "harness/backend.hpp"
#include "harness/suites/limits_checks.hpp"
#include "sys/console_lines.hpp"

namespace benchrun::harness {

class ScheduledConsole {
 public:
  using LineHook = std::function<void(const sys::ConsoleLine&)>;

  // Reads `instance`'s console until `deadline` at the latest (a read past it throws sys::Timeout).
  ScheduledConsole(Instance& instance, WorkloadView& workload, reports::Sample& sample, sys::MonotonicNs deadline,
                   LineHook on_line = {});

  // Lines until benchinit's READY (or the end of the console).
  void until_ready();
  // Lines until `until` (or the end of the console: the rest of the schedule then runs at once).
  void until(sys::MonotonicNs until);
  // Lines until the end of the console.
  void to_end();

 private:
  std::optional<sys::ConsoleLine> next(sys::MonotonicNs deadline);

  Instance& instance_;
  WorkloadView& workload_;
  reports::Sample& sample_;
  sys::MonotonicNs deadline_;
  LineHook on_line_;
  bool closed_ = false;
};

}  // namespace benchrun::harness
