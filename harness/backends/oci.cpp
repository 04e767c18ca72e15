#include "harness/backends/oci.hpp"

#include <fmt/format.h>

#include "harness/backends/container.hpp"
#include "harness/backends/host_backend.hpp"
#include "harness/environment.hpp"
#include "runtime/oci/oci_container.hpp"

namespace benchrun::harness {
namespace {

using runtime::oci::Runtime;

// The runtime's `run` is our child with the instance's stdout and stderr: the console is read as ours is,
// its exit is the container's, and the instance's cgroup stays for stats() until destroy() removes it.
// `run`, not create + start: one runtime process per instance, as a user would start it, and the
// container's exit code comes back through it (after `create`, the container is no child of ours).
template <Runtime runtime>
class OciInstance final : public Instance {
 public:
  OciInstance(const ImageChoice& image, const InstanceSpec& spec, StopSignal& stop) : stop_(stop) {
    const auto setup = runtime::oci::runtime_setup_for(runtime, runtime::detect_cgroup_mode());
    console_.emplace(start_with_console(container_config(image.rootfs(), spec, {}), stop_,
                                        [&](const runtime::ContainerConfig& config) {
                                          container_.emplace(runtime::oci::OciContainer::start(setup, config));
                                        }));
  }

  std::optional<sys::ConsoleLine> next_line(sys::MonotonicNs deadline) override {
    return console_->next_line(deadline);
  }

  InstanceExit wait_exit(sys::MonotonicNs deadline) override {
    return instance_exit_of(container_->wait(deadline, stop_.fd()));
  }

  [[nodiscard]] std::vector<std::pair<std::string, sys::MonotonicNs>> phases() const override {
    const runtime::oci::OciPhaseTimes& times = container_->phases();
    return {{"bundle_written", times.bundle_written}, {"runtime_spawned", times.runtime_spawned}};
  }

  InstanceStats stats() override { return instance_stats_of(container_->stats()); }

  // `<runtime> pause` / `resume`: the runtime's own freezer, as its users would freeze the container.
  void freeze(sys::MonotonicNs deadline) override { container_->pause(deadline); }
  void thaw(sys::MonotonicNs deadline) override { container_->resume(deadline); }

  std::string diagnostics() override { return console_->stderr_tail(); }

  void destroy() override { container_->destroy(); }

 private:
  StopSignal& stop_;
  std::optional<runtime::oci::OciContainer> container_;
  std::optional<ConsoleReader> console_;
};

std::string program_of(Runtime runtime) { return std::string(runtime::oci::to_string(runtime)); }

// What a report says about the peer: which runtime and version, which cgroup tree, and the workaround.
std::map<std::string, std::string> oci_details(Runtime runtime) {
  const auto mode = runtime::detect_cgroup_mode();
  std::map<std::string, std::string> details{{"runtime", program_of(runtime)},
                                             {"version", tool_version(program_of(runtime)).value_or("unknown")},
                                             {"cgroup_version", runtime::to_string(mode)},
                                             {"launch", "run, bundle in the instance's state dir"}};
  if (runtime::oci::runtime_setup_for(runtime, mode).hide_unified) {
    details["cgroup_workaround"] = runtime::oci::hybrid_workaround;
  }
  return details;
}

template <Runtime runtime>
std::unique_ptr<Backend> make_oci_backend(const BackendSetup& setup) {
  const std::string program = program_of(runtime);
  if (!tool_version(program)) {
    throw sys::Error(
        fmt::format("oci:{}: `{} --version` failed: install it (apt-get install {})", program, program, program));
  }
  return std::make_unique<HostBackend<OciInstance<runtime>>>("oci:" + program, reports::BackendKind::oci,
                                                             oci_details(runtime), setup);
}

std::vector<DoctorCheck> oci_host_checks(Runtime runtime) {
  const std::string program = program_of(runtime);
  std::vector<DoctorCheck> checks{check_tool(program, program, false)};
  const auto mode = runtime::detect_cgroup_mode();
  if (runtime::oci::runtime_setup_for(runtime, mode).hide_unified) {
    checks.push_back({program + " cgroups", true,
                      fmt::format("{} host: {}", runtime::to_string(mode), runtime::oci::hybrid_workaround), "", false,
                      "crun 1.8 refuses hybrid cgroups (\"cgroups in hybrid mode not supported\")"});
  }
  return checks;
}

}  // namespace

std::unique_ptr<Backend> make_crun_backend(const BackendSetup& setup) { return make_oci_backend<Runtime::crun>(setup); }
std::unique_ptr<Backend> make_runc_backend(const BackendSetup& setup) { return make_oci_backend<Runtime::runc>(setup); }
std::vector<DoctorCheck> crun_host_checks(const BackendSetup& /*setup*/) { return oci_host_checks(Runtime::crun); }
std::vector<DoctorCheck> runc_host_checks(const BackendSetup& /*setup*/) { return oci_host_checks(Runtime::runc); }

}  // namespace benchrun::harness
