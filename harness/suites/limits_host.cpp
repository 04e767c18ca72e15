#include "harness/suites/limits_host.hpp"

#include "harness/suites/limits_devices.hpp"

#include <charconv>
#include <sstream>

#include "harness/suites/limits_io.hpp"
#include "harness/suites/limits_swap.hpp"
#include "runtime/cgroup/cgroup.hpp"
#include "runtime/cgroup/cgroup_files.hpp"
#include "runtime/oci/oci_config.hpp"

namespace benchrun::harness {
namespace {

namespace fs = std::filesystem;
using runtime::read_cgroup_file_if_exists;
using runtime::read_cgroup_key;

// A non-negative number; nullopt for "max", "-1" (v1's unlimited quota) or anything else.
std::optional<std::uint64_t> parse_count(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> read_count(const fs::path& path) {
  const auto text = read_cgroup_file_if_exists(path);
  return text ? parse_count(*text) : std::nullopt;
}

std::optional<std::string> read_trimmed(const fs::path& path) {
  auto text = read_cgroup_file_if_exists(path);
  if (text) {
    while (!text->empty() && (text->back() == '\n' || text->back() == ' ')) text->pop_back();
  }
  return text;
}

HostView read_v1(const fs::path& root, const fs::path& relative) {
  HostView view;
  const auto dir = [&](const char* controller) -> std::optional<fs::path> {
    fs::path path = root / controller / relative;
    return fs::is_directory(path) ? std::optional(std::move(path)) : std::nullopt;
  };
  if (const auto memory = dir("memory")) {
    view.memory_limit_bytes = read_count(*memory / "memory.limit_in_bytes");
    view.memory_peak_bytes = read_count(*memory / "memory.max_usage_in_bytes");
    view.oom_kills = read_cgroup_key(*memory / "memory.oom_control", "oom_kill");
  }
  if (const auto cpuacct = dir("cpuacct")) {
    view.cpu_usage_ns = read_count(*cpuacct / "cpuacct.usage");
    if (const auto per_cpu = read_cgroup_file_if_exists(*cpuacct / "cpuacct.usage_percpu")) {
      std::istringstream words(*per_cpu);
      std::uint64_t usage = 0;
      while (words >> usage) view.usage_per_cpu_ns.push_back(usage);
    }
  }
  if (const auto cpu = dir("cpu")) {
    view.cpu_quota_us = read_count(*cpu / "cpu.cfs_quota_us");
    view.cpu_period_us = read_count(*cpu / "cpu.cfs_period_us");
    view.nr_periods = read_cgroup_key(*cpu / "cpu.stat", "nr_periods");
    view.nr_throttled = read_cgroup_key(*cpu / "cpu.stat", "nr_throttled");
    view.cpu_shares = read_count(*cpu / "cpu.shares");
  }
  if (const auto pids = dir("pids")) {
    view.pids_max = read_count(*pids / "pids.max");
    view.pids_max_events = read_cgroup_key(*pids / "pids.events", "max");
  }
  if (const auto cpuset = dir("cpuset")) view.cpuset_effective = read_trimmed(*cpuset / "cpuset.effective_cpus");
  read_io_host_view_v1(dir("blkio"), dir("memory"), view);
  if (const auto memory = dir("memory")) read_swap_host_view_v1(*memory, view);
  return view;
}

HostView read_v2(const fs::path& dir) {
  HostView view;
  view.memory_limit_bytes = read_count(dir / "memory.max");
  view.memory_peak_bytes = read_count(dir / "memory.peak");
  view.oom_kills = read_cgroup_key(dir / "memory.events", "oom_kill");
  if (const auto usage_us = read_cgroup_key(dir / "cpu.stat", "usage_usec")) view.cpu_usage_ns = *usage_us * 1000;
  if (const auto cpu_max = read_trimmed(dir / "cpu.max")) {  // "max 100000" or "25000 100000"
    const std::size_t space = cpu_max->find(' ');
    view.cpu_quota_us = parse_count(std::string_view(*cpu_max).substr(0, space));
    if (space != std::string::npos) view.cpu_period_us = parse_count(std::string_view(*cpu_max).substr(space + 1));
  }
  view.nr_periods = read_cgroup_key(dir / "cpu.stat", "nr_periods");
  view.nr_throttled = read_cgroup_key(dir / "cpu.stat", "nr_throttled");
  view.pids_max = read_count(dir / "pids.max");
  view.pids_max_events = read_cgroup_key(dir / "pids.events", "max");
  view.cpuset_effective = read_trimmed(dir / "cpuset.cpus.effective");
  view.cpu_weight = read_count(dir / "cpu.weight");
  read_io_host_view_v2(dir, view);
  read_swap_host_view_v2(dir, view);
  return view;
}

}  // namespace

HostView read_host_view(runtime::CgroupMode mode, const fs::path& root, const fs::path& relative) {
  HostView view = runtime::uses_v1_controllers(mode) ? read_v1(root, relative) : read_v2(root / relative);
  read_devices_host_view(mode, root, relative, view);
  return view;
}

bool cgroup_exists(runtime::CgroupMode mode, const fs::path& root, const fs::path& relative) {
  return fs::is_directory(runtime::uses_v1_controllers(mode) ? root / "memory" / relative : root / relative);
}

HostView merge_final_counters(HostView last_while_running, const HostView& parent_after_exit) {
  HostView merged = std::move(last_while_running);
  const auto later = [](std::optional<std::uint64_t>& field, const std::optional<std::uint64_t>& parent) {
    if (parent && (!field || *parent > *field)) field = parent;
  };
  later(merged.oom_kills, parent_after_exit.oom_kills);
  later(merged.cpu_usage_ns, parent_after_exit.cpu_usage_ns);
  if (!parent_after_exit.usage_per_cpu_ns.empty()) merged.usage_per_cpu_ns = parent_after_exit.usage_per_cpu_ns;
  merged.note =
      "the runtime removed the instance's cgroup when its init exited: limits, peak, throttling and pids.events "
      "as last read while it ran, OOM kills and CPU usage from its parent after the exit";
  return merged;
}

std::optional<fs::path> instance_cgroup_relative(reports::BackendKind kind, const std::string& name) {
  switch (kind) {
    case reports::BackendKind::container:
      return fs::path(runtime::cgroup_parent_name) / name;
    case reports::BackendKind::oci:
      return fs::path(runtime::oci::cgroups_path_for(name)).relative_path();
    default:
      return std::nullopt;
  }
}

}  // namespace benchrun::harness
