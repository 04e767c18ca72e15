// One instance run by a peer runtime (crun or runc) from an OCI bundle: the bundle lives in the instance's
// state dir (/run/benchrun/<name>/, with its owner file, so the sweep can judge it like ours), the runtime's
// `run` is our child, and its writable layer is mounted in that child's private mount namespace.
// Move-only RAII: the destructor deletes the runtime's container if it is still there (`delete --force`:
// kills what runs), reaps the runtime, removes the instance's cgroups (oci_config.hpp) and the state dir.
#pragma once

#include <optional>
#include <string>

#include "runtime/cgroup/mode.hpp"
#include "runtime/cgroup/resources.hpp"
#include "runtime/container.hpp"
#include "runtime/container_config.hpp"
#include "runtime/oci/runtime_process.hpp"
#include "runtime/state_dir.hpp"
#include "sys/child_process.hpp"
#include "sys/clock.hpp"

namespace benchrun::runtime::oci {

// Absolute CLOCK_MONOTONIC times of the launch, comparable with the host's monotonic_now().
struct OciPhaseTimes {
  sys::MonotonicNs start = 0;            // start() entered
  sys::MonotonicNs bundle_written = 0;   // state dir and config.json in place
  sys::MonotonicNs runtime_spawned = 0;  // `<runtime> run` forked (its view and exec follow in the child)
};

class OciContainer {
 public:
  // Writes the bundle and starts `<runtime> run`; returns once the runtime process exists (the
  // container is created by it, after). config.stdout_fd / stderr_fd are the runtime's and so the
  // container's. Throws Error naming the instance, having removed what it made.
  static OciContainer start(const RuntimeSetup& runtime, const ContainerConfig& config);

  OciContainer(OciContainer&& other) noexcept = default;
  OciContainer& operator=(OciContainer&& other) noexcept;
  OciContainer(const OciContainer&) = delete;
  OciContainer& operator=(const OciContainer&) = delete;
  ~OciContainer();  // destroy(), errors swallowed (the sweep gets what is left)

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const OciPhaseTimes& phases() const noexcept { return phases_; }
  [[nodiscard]] const std::filesystem::path& bundle_dir() const noexcept { return state_dir_.path(); }

  // Waits for the runtime to end (with the container: its exit code is the container's) and reads the
  // OOM counter of the instance's cgroup, which outlives the runtime's leaf. Throws Timeout / Interrupted like
  // sys::ChildProcess::wait; after the first success returns the same status at once.
  const ExitStatus& wait(sys::MonotonicNs deadline, int wake_fd);

  // Read from the container's cgroup, the way ours are read; valid until destroy().
  [[nodiscard]] CgroupStats stats() const;

  // `<runtime> pause` / `resume`: the runtime freezes the container's cgroup (v1 freezer, v2 cgroup.freeze);
  // returns once the kernel reports it frozen (thawed), which crun's pause does not wait for. Throw Error "<runtime>
  // pause <name>: exit N: <stderr>", Timeout at `deadline`. destroy() resumes a paused container before deleting it.
  void pause(sys::MonotonicNs deadline);
  void resume(sys::MonotonicNs deadline);

  // Deletes the container (forced), reaps the runtime, removes the state dir. Idempotent; reports the
  // first failure after trying every step.
  void destroy();

 private:
  OciContainer() = default;

  RuntimeSetup runtime_;
  std::string name_;
  CgroupMode cgroup_mode_ = CgroupMode::v2;
  StateDir state_dir_;
  sys::ChildProcess runtime_process_;
  OciPhaseTimes phases_;
  std::optional<ExitStatus> exit_status_;
  bool paused_ = false;  // a pause was asked for and no resume since
};

// Forces `<runtime> delete` of container `name` if the runtime knows it. Throws Error on failure.
void delete_container(const RuntimeSetup& runtime, const std::string& name);

}  // namespace benchrun::runtime::oci
