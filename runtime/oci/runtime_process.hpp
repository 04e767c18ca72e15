// A peer runtime (crun or runc) and its commands, each started in the view of the host the runtime needs:
// crun 1.8 refuses a hybrid cgroup host ("cgroups in hybrid mode not supported") while a cgroup2 tree sits
// on /sys/fs/cgroup/unified, so there its commands run in a private mount namespace with a tmpfs over that
// tree (the host's mounts are untouched; crun then sees the v1 hierarchies runc uses too). An instance's
// writable layer is mounted in the same private namespace, so nothing of it is ever on the host.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/cgroup/mode.hpp"
#include "runtime/linux/rootfs.hpp"
#include "sys/child_process.hpp"
#include "sys/clock.hpp"

namespace benchrun::runtime::oci {

enum class Runtime { crun, runc };
// "crun" or "runc": the program's name, looked up in PATH.
std::string_view to_string(Runtime runtime);
// What `oci:<name>` names; throws Error for any other name.
Runtime runtime_named(std::string_view name);

// What the report says of the hybrid workaround, where it is applied.
inline constexpr const char* hybrid_workaround = "private mount namespace, tmpfs over /sys/fs/cgroup/unified";

struct RuntimeSetup {
  Runtime runtime = Runtime::crun;
  bool hide_unified = false;  // run every command in a private mount namespace with the unified tree hidden
  // Where the runtime keeps its containers' state (its default --root): a name there is a container.
  [[nodiscard]] std::filesystem::path state_root() const;
};

// The setup `runtime` needs on a host of `mode`: hide_unified for crun on a hybrid host only.
RuntimeSetup runtime_setup_for(Runtime runtime, CgroupMode mode) noexcept;

// One command of the runtime, `<runtime> <args>`. stdin is /dev/null; stdout and stderr go to the fds given
// (-1: /dev/null). With `layer`, its tmpfs and overlay are mounted first, in the command's private mount
// namespace (layer_owner: the uid and gid its upper layer and root belong to, for a user namespace).
struct RuntimeCommand {
  std::vector<std::string> args;
  int stdout_fd = -1;
  int stderr_fd = -1;
  const kernel::RootfsPlan* layer = nullptr;
  std::optional<unsigned> layer_owner;
};

// Starts the command as our child, with an empty signal mask. Throws SystemError when it cannot fork; a
// failure in the child (a mount, exec) ends it with exit code 125 and says why on its stderr.
sys::ChildProcess spawn_runtime(const RuntimeSetup& setup, const RuntimeCommand& command);

// Runs `<runtime> <args>` to its end and returns its stdout. Throws Error "<runtime> <args...>: exit N:
// <stderr>" when it fails, Timeout at `deadline`.
std::string run_runtime(const RuntimeSetup& setup, const std::vector<std::string>& args, sys::MonotonicNs deadline);

}  // namespace benchrun::runtime::oci
