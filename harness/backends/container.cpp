#include "harness/backends/container.hpp"

#include <fmt/format.h>

#include "harness/backends/host_backend.hpp"
#include "harness/console_reader.hpp"
#include "runtime/container.hpp"

namespace benchrun::harness {
namespace {

class ContainerInstance final : public Instance {
 public:
  ContainerInstance(const ImageChoice& image, const InstanceSpec& spec, StopSignal& stop) : stop_(stop) {
    console_.emplace(start_with_console(
        container_config(image.rootfs(), spec, {}), stop_,
        [&](const runtime::ContainerConfig& config) { container_.emplace(runtime::Container::start(config)); }));
  }

  std::optional<sys::ConsoleLine> next_line(sys::MonotonicNs deadline) override {
    return console_->next_line(deadline);
  }

  InstanceExit wait_exit(sys::MonotonicNs deadline) override {
    return instance_exit_of(container_->wait(deadline, stop_.fd()));
  }

  [[nodiscard]] std::vector<std::pair<std::string, sys::MonotonicNs>> phases() const override {
    const runtime::PhaseTimes& times = container_->phases();
    return {{"prepared", times.prepared},
            {"cloned", times.cloned},
            {"cgroup_ready", times.cgroup_ready},
            {"mounts_done", times.mounts_done},
            {"exec", times.exec}};
  }

  InstanceStats stats() override { return instance_stats_of(container_->stats()); }

  void freeze(sys::MonotonicNs deadline) override { container_->freeze(deadline); }
  void thaw(sys::MonotonicNs deadline) override { container_->thaw(deadline); }

  std::string diagnostics() override { return console_->stderr_tail(); }

  void destroy() override { container_->destroy(); }

 private:
  StopSignal& stop_;
  std::optional<runtime::Container> container_;
  std::optional<ConsoleReader> console_;
};

// What a report says about the runtime: which cgroup tree, and how the init joins its cgroup.
std::map<std::string, std::string> container_details() {
  const auto mode = runtime::detect_cgroup_mode();
  return {{"runtime", "benchrun"},
          {"cgroup_version", runtime::to_string(mode)},
          {"cgroup_join", runtime::to_string(runtime::cgroup_join_for(mode))}};
}

runtime::ResourceLimits to_runtime_limits(const reports::Limits& limits) {
  runtime::ResourceLimits runtime_limits;
  runtime_limits.memory_bytes = limits.memory_bytes;
  runtime_limits.cpus = limits.cpus;
  runtime_limits.pids_max = limits.pids_max;
  runtime_limits.cpuset_cpus = limits.cpuset_cpus;
  runtime_limits.cpu_weight = limits.cpu_weight;
  runtime_limits.memory_swap_bytes = limits.memory_swap_bytes;
  return runtime_limits;
}

}  // namespace

std::unique_ptr<Backend> make_container_backend(const BackendSetup& setup) {
  return std::make_unique<HostBackend<ContainerInstance>>("container", reports::BackendKind::container,
                                                          container_details(), setup);
}

runtime::ContainerConfig container_config(const std::filesystem::path& rootfs, const InstanceSpec& spec,
                                          const std::vector<std::string>& benchinit_flags) {
  runtime::ContainerConfig config;
  config.name = spec.name;
  config.rootfs = rootfs;
  config.argv = {"/sbin/benchinit"};
  config.argv.insert(config.argv.end(), benchinit_flags.begin(), benchinit_flags.end());
  config.argv.emplace_back("--");
  config.argv.push_back(workload_path(spec));
  config.argv.insert(config.argv.end(), spec.workload_args.begin(), spec.workload_args.end());
  config.hostname = spec.hostname;
  config.network_namespace = spec.network_namespace;
  config.network_namespace_path = spec.network_namespace_path;
  config.user_namespace = spec.user_namespace;
  config.seccomp = spec.seccomp;
  config.pid_namespace = spec.pid_namespace;
  config.ipc_namespace = spec.ipc_namespace;
  config.uts_namespace = spec.uts_namespace;
  config.cgroup_namespace = spec.cgroup_namespace;
  config.drop_capabilities = spec.drop_capabilities;
  config.mask_paths = spec.mask_paths;
  config.readonly_sys = spec.readonly_sys;
  config.devices_cgroup = spec.devices_cgroup;
  config.limits = to_runtime_limits(spec.limits);
  config.freezable = spec.freezable;
  if (spec.throttled_device && (spec.limits.io_read_bps || spec.limits.io_read_iops)) {
    config.limits.io.push_back(runtime::IoDeviceLimit{spec.throttled_device->major, spec.throttled_device->minor,
                                                      spec.limits.io_read_bps, std::nullopt, spec.limits.io_read_iops,
                                                      std::nullopt});
  }
  for (const auto& [source, target] : spec.binds) config.binds.push_back({source, target});
  return config;
}

}  // namespace benchrun::harness
