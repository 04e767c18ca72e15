#include "runtime/container.hpp"

#include <fcntl.h>
#include <sched.h>

#include <fmt/format.h>
#include <csignal>
#include <cstddef>
#include <exception>
#include <utility>

#include "runtime/cgroup/mode.hpp"
#include "runtime/linux/container_init.hpp"
#include "runtime/linux/start_init.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "sys/retry.hpp"
#include "sys/wait.hpp"

namespace benchrun::runtime {

namespace {

// How long destroy() waits for a frozen instance to thaw before killing it (a thaw is immediate here).
constexpr sys::MonotonicNs thaw_on_destroy_timeout_ns = 5'000'000'000;

// argv/envp as the null-terminated char* arrays execve takes, built before clone (the init must not
// allocate).
class CStringArray {
 public:
  explicit CStringArray(const std::vector<std::string>& strings) {
    for (const auto& text : strings) pointers_.push_back(const_cast<char*>(text.c_str()));
    pointers_.push_back(nullptr);
  }
  [[nodiscard]] char* const* get() const noexcept { return pointers_.data(); }

 private:
  std::vector<char*> pointers_;
};

void validate(const ContainerConfig& config) {
  // The name becomes a directory in the state root and in every cgroup hierarchy.
  if (config.name.empty() || config.name == "." || config.name == ".." || config.name.find('/') != std::string::npos) {
    throw sys::Error(fmt::format("invalid name \"{}\": it must be one path component", config.name));
  }
  if (config.argv.empty() || !config.argv.front().starts_with('/')) {
    throw sys::Error("argv[0] must be an absolute path inside the rootfs");
  }
  if (!config.network_namespace_path.empty() && (!config.network_namespace || config.user_namespace)) {
    throw sys::Error(
        "a prepared network namespace needs network_namespace on and no user namespace (it belongs to the host's)");
  }
  std::error_code error;
  if (!std::filesystem::is_directory(config.rootfs / "proc", error) ||
      !std::filesystem::is_directory(config.rootfs, error)) {
    throw sys::Error(
        fmt::format("rootfs {}: not an image root (no such directory, or no /proc in it)", config.rootfs.string()));
  }
}

kernel::CloneRequest clone_request(const ContainerConfig& config) {
  kernel::CloneRequest request;
  // The cgroup namespace is not here: the init unshares it after joining its cgroup.
  request.namespace_flags = CLONE_NEWNS;
  if (config.pid_namespace) request.namespace_flags |= CLONE_NEWPID;
  if (config.uts_namespace) request.namespace_flags |= CLONE_NEWUTS;
  if (config.ipc_namespace) request.namespace_flags |= CLONE_NEWIPC;
  if (config.network_namespace && config.network_namespace_path.empty()) request.namespace_flags |= CLONE_NEWNET;
  if (config.user_namespace) {
    // The parent must write the uid maps while the init waits, so it cannot be suspended: fork-like.
    request.namespace_flags |= CLONE_NEWUSER;
    request.share_memory = false;
  } else {
    // Like posix_spawn: share memory and suspend the parent until exec. A fork-like copy of the page
    // tables costs milliseconds on a virtualised host (2-4 ms against 30 us here); the init only
    // reads the plan and writes to its own stack.
    request.share_memory = true;
  }
  request.allow_clone_into_cgroup = config.clone_into_cgroup;
  return request;
}

void write_id_maps(pid_t pid) {
  const auto map = fmt::format("0 {} {}\n", user_namespace_host_base, user_namespace_size);
  sys::with_context("user namespace", [&] {
    sys::write_file(fmt::format("/proc/{}/uid_map", pid), map);
    sys::write_file(fmt::format("/proc/{}/gid_map", pid), map);
  });
}

// Reads the init's records until EOF (exec succeeded or the init died). Returns the failure message,
// if one came.
std::optional<std::string> read_init_reports(int fd, PhaseTimes& phases) {
  kernel::ChildReport report;
  std::optional<std::string> failure;
  bool got_phases = false;
  for (;;) {
    const auto got = sys::retry_eintr([&] { return ::read(fd, &report, sizeof(report)); });
    if (got < 0) sys::throw_errno("read the init's report");
    if (got == 0) break;
    if (static_cast<std::size_t>(got) != sizeof(report)) throw sys::Error("init: truncated report");
    phases.cloned = report.cloned;
    phases.cgroup_ready = report.cgroup_ready;
    phases.mounts_done = report.mounts_done;
    if (report.kind == kernel::ChildReport::kPhases) {
      phases.exec = report.exec;
      got_phases = true;
    } else {
      report.what[sizeof(report.what) - 1] = '\0';
      failure = fmt::format("{}: {}", report.what, sys::describe_errno(report.errno_value));
    }
  }
  if (!failure && !got_phases) failure = "the init exited before exec without a report";
  return failure;
}

}  // namespace

CgroupJoin cgroup_join_for(CgroupMode mode) {
  const bool born_in_cgroup = mode == CgroupMode::v2 && kernel::kernel_has_clone_into_cgroup();
  return born_in_cgroup ? CgroupJoin::clone_into_cgroup : CgroupJoin::procs_write;
}

Container Container::start(const ContainerConfig& config) {
  Container container;
  container.name_ = config.name;
  container.phases_.start = sys::monotonic_now();
  try {
    validate(config);
    container.state_dir_ = StateDir::create(config.state_root, config.name);
    OptionalControllers controllers = controllers_for(config.limits);
    controllers.freezer = config.freezable;
    controllers.devices = config.devices_cgroup;
    container.cgroup_ =
        create_cgroup(detect_cgroup_mode(config.cgroup_root), config.cgroup_root, config.name, controllers);
    container.cgroup_->apply(config.limits);
    if (config.devices_cgroup) container.cgroup_->restrict_devices(default_allowed_devices());

    // Everything the init needs, built now: it must not allocate after clone.
    const auto security = kernel::make_security_plan(config.seccomp, config.drop_capabilities);
    const CStringArray argv(config.argv);
    const CStringArray envp(config.env);
    auto report_pipe = sys::make_pipe();
    std::optional<sys::Pipe> sync_pipe;
    if (config.user_namespace) sync_pipe = sys::make_pipe();

    kernel::InitPlan plan;
    plan.rootfs = kernel::make_rootfs_plan(std::filesystem::absolute(config.rootfs).string(),
                                           container.state_dir_.scratch().string(), config.user_namespace);
    for (const BindMount& bind : config.binds) {
      plan.rootfs.binds.push_back(
          {std::filesystem::absolute(bind.source).string(), kernel::bind_target_name(bind.target)});
    }
    plan.rootfs.mask_paths = config.mask_paths;
    plan.rootfs.readonly_sys = config.readonly_sys;
    // Without a UTS namespace of its own, a hostname would be the host's.
    if (config.uts_namespace) plan.hostname = config.hostname.empty() ? config.name.c_str() : config.hostname.c_str();
    plan.cgroup_namespace = config.cgroup_namespace;
    plan.argv = argv.get();
    plan.envp = envp.get();
    plan.report_fd = report_pipe.write_end.get();
    plan.user_namespace_sync_fd = sync_pipe ? sync_pipe->read_end.get() : -1;
    plan.user_namespace_sync_write_fd = sync_pipe ? sync_pipe->write_end.get() : -1;
    plan.stdin_fd = config.stdin_fd;
    plan.stdout_fd = config.stdout_fd;
    plan.stderr_fd = config.stderr_fd;
    sys::UniqueFd network_namespace;
    if (!config.network_namespace_path.empty()) {
      network_namespace.reset(::open(config.network_namespace_path.c_str(), O_RDONLY | O_CLOEXEC));
      if (!network_namespace) sys::throw_errno("open network namespace " + config.network_namespace_path);
    }
    plan.network_namespace_fd = network_namespace.get();
    // A prepared namespace has its lo up already.
    plan.bring_up_loopback = config.network_namespace && config.network_namespace_path.empty();
    plan.security = &security;

    container.phases_.prepared = sys::monotonic_now();
    auto started = kernel::start_init(plan, clone_request(config), *container.cgroup_);
    const pid_t pid = started.pid;
    container.init_ = sys::ChildProcess(pid, std::move(started.pidfd));
    container.phases_.cgroup_join = started.cgroup_join;

    report_pipe.write_end.reset();  // the init holds the only write end now: EOF = exec or death
    if (sync_pipe) {
      sync_pipe->read_end.reset();
      write_id_maps(pid);
      sync_pipe->write_end.reset();  // EOF tells the init its maps are in place
    }
    if (auto failure = read_init_reports(report_pipe.read_end.get(), container.phases_)) throw sys::Error(*failure);
    return container;
  } catch (sys::Error& error) {
    try {
      container.destroy();
    } catch (...) {  // the start failure is the one to report; the sweep gets the rest
    }
    error.add_context("container " + config.name);
    throw;
  }
}

Container::Container(Container&& other) noexcept
    : name_(std::move(other.name_)),
      state_dir_(std::move(other.state_dir_)),
      cgroup_(std::move(other.cgroup_)),
      init_(std::move(other.init_)),
      phases_(other.phases_),
      exit_status_(other.exit_status_),
      frozen_(std::exchange(other.frozen_, false)) {}

Container& Container::operator=(Container&& other) noexcept {
  if (this != &other) {
    try {
      destroy();
    } catch (...) {  // never throws, as the destructor; the sweep gets what is left
    }
    name_ = std::move(other.name_);
    state_dir_ = std::move(other.state_dir_);
    cgroup_ = std::move(other.cgroup_);
    init_ = std::move(other.init_);
    phases_ = other.phases_;
    exit_status_ = other.exit_status_;
    frozen_ = std::exchange(other.frozen_, false);
  }
  return *this;
}

Container::~Container() {
  try {
    destroy();
  } catch (...) {  // sweep_leftovers() removes what could not be removed here
  }
}

std::vector<std::filesystem::path> Container::cgroup_paths() const {
  return cgroup_ ? cgroup_->paths() : std::vector<std::filesystem::path>{};
}

const ExitStatus& Container::wait(sys::MonotonicNs deadline, int wake_fd) {
  if (exit_status_) return *exit_status_;
  const sys::ChildProcess::ExitStatus& init_exit =
      sys::with_context("container " + name_, [&] { return init_.wait(deadline, wake_fd); });
  ExitStatus status;
  status.exit_code = init_exit.exit_code;
  status.signal = init_exit.signal;
  status.at = init_exit.at;
  // The OOM killer usually hits a workload process, not the init; the cgroup counts every kill.
  if (cgroup_) status.oom_killed = cgroup_->oom_kills().value_or(0) > 0;
  exit_status_ = status;
  return *exit_status_;
}

std::optional<ExitStatus> Container::wait_for(std::chrono::milliseconds timeout) {
  const sys::MonotonicNs now = sys::monotonic_now();
  constexpr sys::MonotonicNs ns_per_ms = 1'000'000;
  const bool forever = timeout.count() >= (sys::no_deadline - now) / ns_per_ms;
  try {
    return wait(forever ? sys::no_deadline : now + timeout.count() * ns_per_ms, -1);
  } catch (const sys::Timeout&) {
    return std::nullopt;
  }
}

ExitStatus Container::wait() { return wait(sys::no_deadline, -1); }

void Container::kill(int signal) {
  sys::with_context("container " + name_, [&] { init_.send_signal(signal); });
}

CgroupStats Container::stats() const {
  if (!cgroup_) return {};
  return sys::with_context("container " + name_, [&] { return cgroup_->stats(); });
}

void Container::freeze(sys::MonotonicNs deadline) {
  if (!cgroup_) throw sys::Error("container " + name_ + ": freeze: the container was destroyed");
  sys::with_context("container " + name_ + ": freeze", [&] {
    try {
      cgroup_->freeze(deadline);
    } catch (const sys::Timeout&) {
      frozen_ = true;  // asked for and maybe half done: destroy() must thaw
      throw;
    }
  });
  frozen_ = true;
}

void Container::thaw(sys::MonotonicNs deadline) {
  if (!cgroup_) throw sys::Error("container " + name_ + ": thaw: the container was destroyed");
  sys::with_context("container " + name_ + ": thaw", [&] { cgroup_->thaw(deadline); });
  frozen_ = false;
}

void Container::destroy() {
  std::exception_ptr first_failure;  // of its own kind, rethrown once every step was tried
  const auto attempt = [&](auto&& step) {
    try {
      step();
    } catch (sys::Error& error) {
      if (first_failure) return;
      error.add_context("container " + name_ + ": destroy");
      first_failure = std::current_exception();
    }
  };
  // On v1 a frozen task does not die until thawed.
  attempt([&] {
    if (frozen_ && cgroup_ && init_.running()) thaw(sys::monotonic_now() + thaw_on_destroy_timeout_ns);
  });
  attempt([&] {
    if (init_.running()) {
      kill(SIGKILL);  // the init takes its whole pid namespace along
      wait();
    }
  });
  attempt([&] {
    if (cgroup_) {
      cgroup_->destroy();
      cgroup_.reset();
    }
  });
  attempt([&] { state_dir_.remove(); });
  if (first_failure) std::rethrow_exception(first_failure);
}

}  // namespace benchrun::runtime
