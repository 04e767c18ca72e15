// benchrun doctor's cgroup attach check: what the first cgroup attach after an idle time costs here, and
// whether the cgroup mounts trade that cost away with favordynmods.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "harness/commands/doctor_check.hpp"
#include "runtime/cgroup/attach_cost.hpp"
#include "runtime/cgroup/mode.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::harness {
namespace {

// A cold attach costing this much more than a warm one is worth a warning: it is paid by every launch that
// comes after a quiet moment (a lone `docker run`).
constexpr double notable_cold_cost_ms = 1.0;

// "favordynmods: on /sys/fs/cgroup/memory" or "favordynmods: on none of 10 cgroup mounts".
std::string favordynmods_state(const std::vector<runtime::CgroupMount>& mounts) {
  std::string with;
  for (const auto& mount : mounts) {
    if (!mount.favordynmods) continue;
    if (!with.empty()) with += ' ';
    with += mount.mount_point.string();
  }
  if (!with.empty()) return "favordynmods: on " + with;
  return fmt::format("favordynmods: on none of {} cgroup mounts", mounts.size());
}

constexpr const char* favordynmods_note =
    "the first cgroup.procs write after ~20-30 ms without one waits an RCU grace period (the kernel's "
    "cgroup_threadgroup_rwsem re-entering its writer mode); `benchrun --suite startup --start cold|warm|both` "
    "reports both costs. The `favordynmods` cgroup mount option (cgroup2 since Linux 6.0; cgroup v1 mounts "
    "accept it too, checked on 6.18; CONFIG_CGROUP_FAVOR_DYNMODS makes it the default) keeps that rwsem in its "
    "writer-friendly mode, trading this cost for slower fork and exit; the rwsem is shared by all hierarchies, "
    "so one mount with the option covers every attach. benchrun never remounts the host's cgroups itself.";

}  // namespace

DoctorCheck check_cgroup_attach_cost() {
  const std::string name = "cgroup attach";
  try {
    const runtime::CgroupMode mode = runtime::detect_cgroup_mode();
    if (!runtime::uses_v1_controllers(mode)) {
      return {name, true,
              "cgroup v2: the container is created inside its cgroup with clone3(CLONE_INTO_CGROUP), no attach to pay "
              "for",
              "", false};
    }
    const auto mounts = runtime::parse_cgroup_mounts(sys::read_file("/proc/self/mountinfo"));
    const bool favoring =
        std::any_of(mounts.begin(), mounts.end(), [](const auto& mount) { return mount.favordynmods; });
    const runtime::AttachCostOptions options;
    const runtime::AttachCost cost = runtime::measure_attach_cost(options);
    const std::string hierarchies = fmt::format("{}", fmt::join(options.hierarchies, " "));
    const bool cheap = cost.cold_ms - cost.warm_ms < notable_cold_cost_ms;
    DoctorCheck check{
        name, favoring || cheap,
        fmt::format("cold {:.2f} ms (after {} ms idle), warm {:.2f} ms to join {} (median of {}); {}{}", cost.cold_ms,
                    options.settle.count(), cost.warm_ms, hierarchies, cost.tries, favordynmods_state(mounts),
                    runtime::rcu_grace_periods_expedited().value_or(false)
                        ? "; /sys/kernel/rcu_expedited is 1: every grace period is expedited "
                          "host-wide, which hides the cold cost"
                        : ""),
        "mount a cgroup hierarchy with -o favordynmods to trade the cold cost away (or keep reading "
        "cold and warm starts apart)",
        false};
    check.note = favordynmods_note;
    return check;
  } catch (const std::exception& error) {
    return {name, false, error.what(), "run benchrun doctor as root on a host with cgroups mounted", false};
  }
}

}  // namespace benchrun::harness
