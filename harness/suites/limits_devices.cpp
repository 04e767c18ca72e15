#include "harness/suites/limits_devices.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "runtime/cgroup/cgroup_files.hpp"
#include "runtime/cgroup/device_bpf.hpp"

namespace benchrun::harness {
namespace {

using reports::Verdict;

// devprobe stays this long after probing, so the host reads the cgroup while it lives (crun and runc remove
// it when the init exits; the suite reads every 20 ms).
constexpr const char* hold_ms = "500";
constexpr const char* allow_all_line = "a *:* rwm";

std::optional<int> errno_metric(const Observation& seen, const char* name) {
  const auto found = seen.workload.metrics.find(name);
  return found == seen.workload.metrics.end() ? std::nullopt : std::optional(static_cast<int>(found->second));
}

std::string errno_text(int value) {
  if (value == 0) return "0";
  const char* name = strerrorname_np(value);
  return name != nullptr ? name : std::to_string(value);
}

Verdict verdict_named(std::string check, std::string configured) {
  Verdict verdict;
  verdict.check = std::move(check);
  verdict.configured = std::move(configured);
  return verdict;
}

bool has_line(const std::string& text, std::string_view wanted) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line == wanted) return true;
  }
  return false;
}

Verdict judge_denied(const Observation& seen) {
  Verdict verdict = verdict_named("devices.denied", "EPERM");
  std::vector<std::string> failures;
  const auto found = errno_metric(seen, "node_mount_found");
  const auto mknod_errno = errno_metric(seen, "mknod_errno");
  const auto open_errno = errno_metric(seen, "open_errno");
  if (!found) {
    failures.push_back(fmt::format("devprobe reported nothing: {}", how_it_ended(seen.workload)));
  } else if (*found == 0) {
    failures.emplace_back("devprobe found no writable mount without nodev for its node among /dev, /tmp and /");
  } else if (!mknod_errno || !open_errno) {
    failures.push_back(fmt::format("devprobe reported no mknod or open result: {}", how_it_ended(seen.workload)));
  } else if (*mknod_errno != 0) {
    verdict.measured = errno_text(*mknod_errno);
    failures.push_back(
        fmt::format("mknod of the kmsg node (c 1:11) failed with {}: nothing was opened (\"c *:* m\" "
                    "allows making any node)",
                    errno_text(*mknod_errno)));
  } else {
    verdict.measured = errno_text(*open_errno);
    if (*open_errno == 0) {
      failures.emplace_back("the kmsg node (c 1:11, outside the allow list) opened for writing");
    } else if (*open_errno != EPERM) {
      failures.push_back(
          fmt::format("opening the kmsg node failed with {}, not the devices cgroup's EPERM", errno_text(*open_errno)));
    }
  }
  conclude(verdict, failures, "the kmsg node (c 1:11) was made but opening it failed with EPERM", seen);
  return verdict;
}

Verdict judge_allowed(const Observation& seen) {
  Verdict verdict = verdict_named("devices.allowed_still_work", "0");
  std::vector<std::string> failures;
  const auto null_errno = errno_metric(seen, "null_errno");
  if (!null_errno) {
    failures.push_back(fmt::format("devprobe reported no /dev/null result: {}", how_it_ended(seen.workload)));
  } else {
    verdict.measured = errno_text(*null_errno);
    if (*null_errno != 0)
      failures.push_back(fmt::format("writing to /dev/null failed with {}", errno_text(*null_errno)));
  }
  conclude(verdict, failures, "a byte written to /dev/null (c 1:3, allowed)", seen);
  return verdict;
}

Verdict judge_host(const Observation& seen) {
  const HostView& host = seen.host;
  Verdict verdict = verdict_named("devices.host_view", "deny all but the allow list");
  std::vector<std::string> failures;
  std::string pass_reason;
  if (host.devices_list) {
    const bool allows_all = has_line(*host.devices_list, allow_all_line);
    verdict.measured = allows_all ? std::string(allow_all_line) : std::string("allow list");
    if (allows_all) failures.emplace_back("devices.list reads \"a *:* rwm\": every device allowed");
    std::istringstream lines(*host.devices_list);
    std::size_t rules = 0;
    for (std::string line; std::getline(lines, line);) rules += line.empty() ? 0 : 1;
    pass_reason = fmt::format("devices.list holds {} rules, none \"a *:* rwm\"", rules);
  } else if (host.device_programs) {
    verdict.measured = static_cast<double>(*host.device_programs);
    verdict.unit = "programs";
    if (*host.device_programs == 0) failures.emplace_back("no device program is attached to the instance's cgroup");
    pass_reason = fmt::format("{} device program(s) attached to the instance's cgroup (bpf BPF_PROG_QUERY)",
                              *host.device_programs);
  } else {
    failures.emplace_back(
        "the host finds no devices cgroup for the instance: no devices.list (v1) and no device program to query (v2)");
  }
  conclude(verdict, failures, pass_reason, seen);
  return verdict;
}

void turn_devices_off(InstanceSpec& spec) { spec.devices_cgroup = false; }

}  // namespace

LimitCheck devices_limit_check() {
  LimitCheck check{
      "devices",  "a device node outside the allow list (kmsg, c 1:11) cannot be opened; /dev/null still works",
      "devprobe", {hold_ms},
      {},         &judge_devices};
  check.turn_off = &turn_devices_off;
  return check;
}

std::vector<Verdict> judge_devices(const LimitCheck& /*check*/, const Observation& seen) {
  return {judge_denied(seen), judge_allowed(seen), judge_host(seen)};
}

void read_devices_host_view(runtime::CgroupMode mode, const std::filesystem::path& root,
                            const std::filesystem::path& relative, HostView& view) {
  if (runtime::uses_v1_controllers(mode)) {
    view.devices_list = runtime::read_cgroup_file_if_exists(root / "devices" / relative / "devices.list");
  } else {
    view.device_programs = runtime::attached_device_programs(root / relative);
  }
}

}  // namespace benchrun::harness
