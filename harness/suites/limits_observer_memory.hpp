// The limits suite's independent observer on the memory limit: stress-ng's vm stressor pushed past it inside
// one instance. Check `memory-stress-ng` (a case only with --observer stress-ng, and an image that holds
// /usr/bin/stress-ng, e.g. --image guest): one instance under the memory check's limit (32 MiB) runs
//   stress-ng --vm 1 --vm-bytes 64M --vm-keep --oomable --timeout 3 --metrics -v
// with its lines on the console, then stays 500 ms (as oomprobe: crun and runc remove the cgroup when the
// init exits, and the host reads the kill while it runs). --vm-keep maps the 64 MiB once and keeps writing
// them, twice the limit: they cannot fit. --oomable: stress-ng does not restart a stressor the OOM killer
// took, so one kill ends the run; stress-ng 0.15 then says (at -v, its debug level)
//   stress-ng: debug: [4] vm: child died: signal 9 'SIGKILL' (instance 0)
//   stress-ng: debug: [4] vm: assuming killed by OOM killer, bailing out (instance 0)
// and exits 0 after "successful run completed" (an OOM kill is an allowed end under --oomable; without it,
// "restarting again" and a new child). Its --metrics table gives the stressor's "RSS Max" (KB, getrusage).
// Judged from three sides, each exact (as the memory check: test_memcg_oom_events expects oom_kill == 1
// for one hog, and the page counter refuses a charge over the limit):
// - stress-ng's own report: its vm stressor was OOM-killed once, by its count, and stress-ng ran to its
//   end (exit 0); its RSS Max stayed under the 64 MiB it asked for (its resident set counts its program's
//   and libraries' pages, which the page cache may have charged to another cgroup: not compared with the
//   limit itself);
// - the cgroup: oom_kill == 1, the limit reads back, the high-water mark is within it (as judge_memory);
// - agreement: the kills stress-ng reports equal the cgroup's count.
// --limits-off memory-stress-ng runs it without the limit: the stressor holds its 64 MiB until its 3 s
// timeout, nothing is killed, and both verdicts fail. Bounded twice: stress-ng's --timeout 3 ends a run no
// kill ended, and the step's timeout (--timeout) the instance.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/suites/limits_checks.hpp"

namespace benchrun::harness {

// What stress-ng's console lines (-v, --metrics) said of one stressor.
struct StressNgKillReport {
  unsigned oom_kills = 0;             // the stressor's kills stress-ng put on the OOM killer
  bool completed = false;             // "successful run completed in ...s"
  std::optional<double> run_s;        // the run's length from that line
  std::optional<double> max_rss_kb;   // the stressor's "RSS Max" (KB) in the --metrics table
  std::vector<std::string> problems;  // its "fail:" and "error:" lines
};

// Reads the lines as the console gave them; `stressor` names the stressor ("vm").
StressNgKillReport parse_stress_ng_kills(const std::vector<std::string>& lines, std::string_view stressor);

std::vector<reports::Verdict> judge_memory_stress_ng(const LimitCheck& check, const Observation& seen);

LimitCheck memory_stress_ng_check();

}  // namespace benchrun::harness
