#include "runtime/cgroup/freezer.hpp"

#include <fmt/format.h>
#include <chrono>
#include <string>
#include <thread>

#include "runtime/cgroup/cgroup_files.hpp"
#include "sys/wait.hpp"

namespace benchrun::runtime {
namespace {

namespace fs = std::filesystem;

// How often the state is read back while waiting. v1 computes freezer.state when it is read (a FREEZING
// cgroup turns FROZEN on the read that finds every task frozen), so reading is the way to wait there; on v2
// a freeze of a few idle or running tasks takes well under a millisecond here.
constexpr auto state_poll_interval = std::chrono::milliseconds(1);

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// Reads `state_of` until it says `wanted`; throws Timeout naming `what` and the last state at `deadline`.
template <typename StateOf>
void wait_for_state(const fs::path& dir, bool wanted, sys::MonotonicNs deadline, StateOf&& state_of) {
  for (;;) {
    const std::optional<bool> frozen = state_of(dir);
    if (!frozen) throw sys::Error(fmt::format("cgroup freezer: {}: the cgroup is gone", dir.string()));
    if (*frozen == wanted) return;
    if (sys::monotonic_now() >= deadline) {
      throw sys::Timeout(
          fmt::format("cgroup freezer: {} not {} by its deadline: a task may sit in an "
                      "uninterruptible sleep (D state); see its /proc/<pid>/stack",
                      dir.string(), wanted ? "frozen" : "thawed"));
    }
    std::this_thread::sleep_for(state_poll_interval);
  }
}

}  // namespace

std::optional<bool> cgroup_frozen_v1(const fs::path& dir) {
  const auto state = read_cgroup_file_if_exists(dir / "freezer.state");
  if (!state) return std::nullopt;
  return trimmed(*state) == "FROZEN";
}

std::optional<bool> cgroup_frozen_v2(const fs::path& dir) {
  if (!read_cgroup_file_if_exists(dir / "cgroup.events")) return std::nullopt;
  return read_cgroup_key(dir / "cgroup.events", "frozen").value_or(0) == 1;
}

void freeze_cgroup_v1(const fs::path& dir, sys::MonotonicNs deadline) {
  write_cgroup_file("freezer", dir / "freezer.state", "FROZEN");
  wait_for_state(dir, true, deadline, cgroup_frozen_v1);
}

void thaw_cgroup_v1(const fs::path& dir, sys::MonotonicNs deadline) {
  write_cgroup_file("freezer", dir / "freezer.state", "THAWED");
  wait_for_state(dir, false, deadline, cgroup_frozen_v1);
}

void freeze_cgroup_v2(const fs::path& dir, sys::MonotonicNs deadline) {
  write_cgroup_file("freezer", dir / "cgroup.freeze", "1");
  wait_for_state(dir, true, deadline, cgroup_frozen_v2);
}

void thaw_cgroup_v2(const fs::path& dir, sys::MonotonicNs deadline) {
  write_cgroup_file("freezer", dir / "cgroup.freeze", "0");
  wait_for_state(dir, false, deadline, cgroup_frozen_v2);
}

void wait_cgroup_frozen(CgroupMode mode, const fs::path& root, const fs::path& relative, bool frozen,
                        sys::MonotonicNs deadline) {
  if (uses_v1_controllers(mode)) {
    wait_for_state(root / "freezer" / relative, frozen, deadline, cgroup_frozen_v1);
  } else {
    wait_for_state(root / relative, frozen, deadline, cgroup_frozen_v2);
  }
}

std::optional<bool> read_cgroup_frozen(CgroupMode mode, const fs::path& root, const fs::path& relative) {
  return uses_v1_controllers(mode) ? cgroup_frozen_v1(root / "freezer" / relative) : cgroup_frozen_v2(root / relative);
}

}  // namespace benchrun::runtime
