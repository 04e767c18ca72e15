// The overhead suite: how much slower is a workload in a container, in crun or runc, in a VM? The same static
// workloads (bench/workloads/overhead.cpp) on every backend, one case per workload group, interleaved by the
// runner round by round; every figure is summarized per backend and compared with native's (ratio and its
// interval in the report). `--tool 'CMD'` adds a case that runs a program of the image (stress-ng, fio)
// through the same runner, its own figure parsed from its output, to check our figures against a tool users
// trust. The network group is its own module (harness/suites/overhead_network.hpp).
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/suites/registry.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

// One workload group: its case name and the arguments of the `overhead` workload (quick and --full sizes).
struct OverheadGroup {
  std::string_view name;  // the case name: cpu, memory_bandwidth, ...
  std::string_view help;
  std::vector<std::string> quick_args;  // what a default run passes
  std::vector<std::string> full_args;   // --full
};

// Every workload group of bench/workloads/overhead, in the order a run measures them.
const std::vector<OverheadGroup>& overhead_groups();

// A group measured by code of its own (network: namespaces, veth, tap, a peer): its cases and its step. The
// suite asks each of these for cases after the workload groups and sends those cases to its step. A new one
// is one line in overhead_case_groups() (overhead.cpp). Its case names are "<name>" or "<name>.<more>"
// ("network.tcp_rr"): that is how the suite sends a case to the group's step.
struct OverheadCaseGroup {
  std::string_view name;  // what --groups names
  std::string_view help;
  std::vector<reports::Case> (*cases)(const CaseFlags& flags);
  Step (*make_step)(const SuiteOptions& options);
};
std::span<const OverheadCaseGroup> overhead_case_groups();

// In the disk group's arguments, the place of the disk: the step puts the backend's path there (the host file
// natively, its bind mount in containers, /dev/vda in guests).
inline constexpr std::string_view overhead_disk_placeholder = "{disk}";
// A tool's case name starts with this; the rest is the command.
inline constexpr std::string_view overhead_tool_prefix = "tool:";

// The cases of --groups (all when empty) and one per --tool; throws Error on an unknown group or empty tool.
std::vector<reports::Case> overhead_cases(const CaseFlags& flags);
Step make_overhead_step(const SuiteOptions& options);

// A tool's figures from what it printed (stdout lines, then its stderr tail): stress-ng's --metrics(-brief)
// lines give tool_bogo_ops_per_s (real time; summed over stressors), fio's --output-format=json gives
// tool_fio_{read,write}_{iops,mb_s} (summed over jobs). Empty when nothing was recognised.
std::map<std::string, double> parse_tool_figures(const std::vector<std::string>& lines);

}  // namespace benchrun::harness
