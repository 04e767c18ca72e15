#include "harness/suites/scheduled_console.hpp"

#include <algorithm>
#include <utility>

#include "harness/workload_protocol.hpp"

namespace benchrun::harness {

ScheduledConsole::ScheduledConsole(Instance& instance, WorkloadView& workload, reports::Sample& sample,
                                   sys::MonotonicNs deadline, LineHook on_line)
    : instance_(instance), workload_(workload), sample_(sample), deadline_(deadline), on_line_(std::move(on_line)) {}

void ScheduledConsole::until_ready() {
  while (!closed_) {
    const auto line = next(deadline_);
    if (line && is_ready_line(line->text)) return;
  }
}

void ScheduledConsole::until(sys::MonotonicNs until) {
  while (!closed_ && sys::monotonic_now() < until) {
    try {
      next(std::min(until, deadline_));
    } catch (const sys::Timeout&) {
      if (sys::monotonic_now() >= deadline_) throw;
    }
  }
}

void ScheduledConsole::to_end() {
  while (!closed_) next(deadline_);
}

std::optional<sys::ConsoleLine> ScheduledConsole::next(sys::MonotonicNs deadline) {
  std::optional<sys::ConsoleLine> line = instance_.next_line(deadline);
  if (!line) {
    closed_ = true;
    return line;
  }
  if (on_line_) on_line_(*line);
  if (is_result_line(line->text)) take_result(parse_result_line(line->text), workload_, sample_);
  return line;
}

}  // namespace benchrun::harness
