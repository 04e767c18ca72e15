#include "runtime/oci/oci_container.hpp"

#include <fmt/format.h>
#include <chrono>
#include <exception>

#include "runtime/cgroup/cgroup.hpp"
#include "runtime/cgroup/cgroup_files.hpp"
#include "runtime/cgroup/conversions.hpp"
#include "runtime/oci/oci_config.hpp"
#include "runtime/oci/oci_sweep.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::runtime::oci {
namespace {

constexpr auto delete_timeout = std::chrono::seconds(30);
constexpr const char* cgroup_root = "/sys/fs/cgroup";

sys::MonotonicNs deadline_after(std::chrono::nanoseconds timeout) {
  return sys::monotonic_now() + static_cast<sys::MonotonicNs>(timeout.count());
}

// crun and runc write linux.resources.cpu.shares on the instance's leaf (<name>/oci), the only child of
// <name>; a weight divides the CPU among siblings, so alone there it divides nothing, and every instance
// would compete at its parent's default weight. The parent is the instance's own: it gets the same weight
// before the runtime starts (its mkdir -p takes the directory as it is; destroy() and the sweep remove it).
void weigh_instance_parent(CgroupMode mode, const std::string& name, std::uint64_t weight) {
  namespace fs = std::filesystem;
  if (uses_v1_controllers(mode)) {
    const fs::path dir = fs::path(cgroup_root) / "cpu" / name;
    fs::create_directories(dir);
    write_cgroup_file("cpu", dir / "cpu.shares", std::to_string(weight_to_shares(weight)));
    return;
  }
  const fs::path dir = fs::path(cgroup_root) / name;
  fs::create_directories(dir);
  if (!fs::exists(dir / "cpu.weight"))
    write_cgroup_file("cpu", fs::path(cgroup_root) / "cgroup.subtree_control", "+cpu");
  write_cgroup_file("cpu", dir / "cpu.weight", std::to_string(weight));
}

}  // namespace

void delete_container(const RuntimeSetup& runtime, const std::string& name) {
  const auto state = runtime.state_root() / name;
  if (!std::filesystem::exists(state)) return;
  try {
    run_runtime(runtime, {"delete", "--force", name}, deadline_after(delete_timeout));
  } catch (const sys::Error&) {
    // A killed container's own `run` process removes its state as it exits, racing our delete ("cannot open
    // directory /run/crun/<name>"): the container is gone either way. Anything else is a real failure.
    if (std::filesystem::exists(state)) throw;
  }
}

OciContainer OciContainer::start(const RuntimeSetup& runtime, const ContainerConfig& config) {
  return sys::with_context(fmt::format("{} container {}", to_string(runtime.runtime), config.name), [&] {
    OciContainer container;
    container.phases_.start = sys::monotonic_now();
    container.runtime_ = runtime;
    container.name_ = config.name;
    container.cgroup_mode_ = detect_cgroup_mode(cgroup_root);
    ensure_state_root(config.state_root);
    container.state_dir_ = StateDir::create(config.state_root, config.name);

    if (config.limits.cpu_weight) weigh_instance_parent(container.cgroup_mode_, config.name, *config.limits.cpu_weight);

    const auto bundle = container.state_dir_.path();
    // The layer's tmpfs goes over <bundle>/layer, in the runtime's mount namespace only: config.json stays
    // visible next to it.
    const auto layer_dir = bundle / "layer";
    std::filesystem::create_directory(layer_dir);
    const kernel::RootfsPlan layer = kernel::make_rootfs_plan(config.rootfs.string(), layer_dir.string(), false);
    const BundleLayout layout{layer.merged_dir, false};
    sys::write_file_new(bundle / "config.json", make_config(config, layout).dump(2));
    container.phases_.bundle_written = sys::monotonic_now();

    RuntimeCommand command{{"run", "--bundle", bundle.string(), config.name},
                           config.stdout_fd,
                           config.stderr_fd,
                           &layer,
                           config.user_namespace ? std::optional(user_namespace_host_base) : std::nullopt};
    container.runtime_process_ = spawn_runtime(runtime, command);
    container.phases_.runtime_spawned = sys::monotonic_now();
    return container;
  });
}

OciContainer& OciContainer::operator=(OciContainer&& other) noexcept {
  if (this != &other) {
    try {
      destroy();
    } catch (...) {  // the sweep gets what is left
    }
    runtime_ = other.runtime_;
    name_ = std::move(other.name_);
    cgroup_mode_ = other.cgroup_mode_;
    state_dir_ = std::move(other.state_dir_);
    runtime_process_ = std::move(other.runtime_process_);
    phases_ = other.phases_;
    exit_status_ = std::move(other.exit_status_);
  }
  return *this;
}

OciContainer::~OciContainer() {
  try {
    destroy();
  } catch (...) {  // the sweep gets what is left
  }
}

const ExitStatus& OciContainer::wait(sys::MonotonicNs deadline, int wake_fd) {
  if (exit_status_) return *exit_status_;
  const auto& status =
      runtime_process_.wait(deadline, wake_fd, fmt::format("{} run {}", to_string(runtime_.runtime), name_));
  ExitStatus exit;
  exit.exit_code = status.exit_code;
  exit.signal = status.signal;
  exit.at = status.at;
  exit.oom_killed = stats().oom_kills.value_or(0) > 0;
  exit_status_ = exit;
  return *exit_status_;
}

CgroupStats OciContainer::stats() const {
  if (name_.empty()) return {};
  return read_cgroup_stats(cgroup_mode_, cgroup_root, name_);
}

void OciContainer::destroy() {
  if (name_.empty()) return;
  std::exception_ptr first_failure;
  const auto attempt = [&](auto&& step) {
    try {
      step();
    } catch (sys::Error& error) {
      error.add_context(fmt::format("{} container {}: destroy", to_string(runtime_.runtime), name_));
      if (!first_failure) first_failure = std::current_exception();
    }
  };
  // The container first: its end ends the runtime's `run`, which is then reaped (killed if it lingers).
  attempt([&] { delete_container(runtime_, name_); });
  runtime_process_.kill_and_reap();
  attempt([&] { remove_peer_cgroups(cgroup_root, name_); });
  attempt([&] { state_dir_.remove(); });
  if (first_failure) std::rethrow_exception(first_failure);
  name_.clear();
}

}  // namespace benchrun::runtime::oci
