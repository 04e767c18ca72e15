#include "harness/suites/isolation.hpp"

#include <sys/ipc.h>
#include <sys/random.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "harness/backends/container.hpp"
#include "harness/suites/in_guest_suite.hpp"
#include "harness/workload_protocol.hpp"
#include "runtime/oci/oci_config.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::harness {
namespace {

constexpr int shm_key_attempts = 16;
constexpr std::size_t shm_segment_bytes = 4096;

std::string first_line(std::string text) {
  text.erase(std::find(text.begin(), text.end(), '\n'), text.end());
  return text;
}

std::string namespace_inode(const char* kind) {
  struct stat info {};
  const std::string path = fmt::format("/proc/self/ns/{}", kind);
  if (::stat(path.c_str(), &info) != 0) sys::throw_errno("stat " + path);
  return std::to_string(info.st_ino);
}

// The promise of the backend as the suite configures it (before --isolation-off): from the same code that
// configures the instance.
Confinement confinement_of(const Backend& backend, const std::filesystem::path& rootfs, const InstanceSpec& spec) {
  switch (backend.kind()) {
    case reports::BackendKind::native:
      return host_confinement();
    case reports::BackendKind::vm:
      return guest_confinement();
    case reports::BackendKind::container:
      return container_confinement(container_config(rootfs, spec, {}));
    case reports::BackendKind::oci:
      return oci_confinement(runtime::oci::make_config(container_config(rootfs, spec, {}), {rootfs, false}));
  }
  return host_confinement();
}

// Reads the probe's lines to the end of its console, then its exit. Throws what the instance throws.
ProbeObservations run_probe(Instance& instance, sys::MonotonicNs deadline, std::string& trouble) {
  ProbeObservations observations;
  while (std::optional<sys::ConsoleLine> line = instance.next_line(deadline)) {
    std::string_view text = line->text;
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    if (auto observation = parse_probe_line(text)) observations.insert(std::move(*observation));
  }
  const InstanceExit exit = instance.wait_exit(deadline);
  if (exit.signal) trouble = fmt::format("the probe's instance was killed by signal {}", *exit.signal);
  if (exit.exit_code && *exit.exit_code != 0) trouble = fmt::format("the probe's instance exited {}", *exit.exit_code);
  return observations;
}

StepResult measure_isolation(Backend& backend, const StepInput& input, const IsolationOptions& options,
                             const std::filesystem::path& rootfs) {
  StepResult result;
  InstanceSpec requested = instance_spec(input.test_case, input.next_instance_name());
  requested.user_namespace = options.user_namespace && backend.kind() != reports::BackendKind::native;
  const Confinement confinement = confinement_of(backend, rootfs, requested);
  const bool removes = !options.off.empty() && (backend.kind() == reports::BackendKind::container ||
                                                backend.kind() == reports::BackendKind::oci);
  InstanceSpec spec = removes ? without_protections(requested, options.off) : requested;
  if (removes) {
    result.notes.push_back(
        fmt::format("{}: --isolation-off {}: protections removed from its instance, so the "
                    "checks they hold fail",
                    backend.name(), fmt::join(options.off, ",")));
  }

  std::unique_ptr<Instance> instance;
  try {
    const HostShmSegment segment;
    spec.workload_args = probe_arguments(read_host_markers(segment.key()));
    const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(input.timeout).count();
    instance = backend.launch(spec, deadline);
    std::string trouble;
    const ProbeObservations observations = run_probe(*instance, deadline, trouble);
    if (!trouble.empty()) trouble += with_diagnostics(instance->diagnostics());
    instance->destroy();
    result.verdicts = judge_isolation(confinement, observations);
    if (!trouble.empty()) {
      for (auto& verdict : result.verdicts) {
        if (!verdict.measured) verdict.why += "; " + trouble;
      }
    }
  } catch (const sys::Interrupted&) {
    if (instance) instance->destroy();
    throw;
  } catch (const sys::Error& error) {
    std::string why = error.what();
    if (instance) {
      why += with_diagnostics(instance->diagnostics());
      try {
        instance->destroy();
      } catch (const sys::Error& teardown) {
        why += fmt::format("; teardown: {}", teardown.what());
      }
    }
    result.verdicts = isolation_not_measured(confinement, why);
  }
  return result;
}

}  // namespace

const std::vector<RemovableProtection>& removable_protections() {
  static const std::vector<RemovableProtection> protections = {
      {"pid-ns", &InstanceSpec::pid_namespace, "the PID namespace: host processes visible, PID 1 the host's"},
      {"uts-ns", &InstanceSpec::uts_namespace, "the UTS namespace: the host's hostname"},
      {"ipc-ns", &InstanceSpec::ipc_namespace, "the IPC namespace: the host's SysV objects"},
      {"net-ns", &InstanceSpec::network_namespace, "the network namespace: the host's interfaces"},
      {"user-ns", &InstanceSpec::user_namespace, "the user namespace (with --user-namespace)"},
      {"cgroup-ns", &InstanceSpec::cgroup_namespace, "the cgroup namespace"},
      {"capabilities", &InstanceSpec::drop_capabilities, "the capability bounding: every capability kept"},
      {"seccomp", &InstanceSpec::seccomp, "the default seccomp filter"},
      {"masked-paths", &InstanceSpec::mask_paths, "masked /proc and /sys paths, read-only /proc entries"},
      {"readonly-sys", &InstanceSpec::readonly_sys, "/sys read-only"},
  };
  return protections;
}

std::vector<std::string> parse_isolation_off(const std::string& text) {
  std::vector<std::string> names;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string name(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (name.empty()) continue;
    const auto& known = removable_protections();
    if (std::none_of(known.begin(), known.end(), [&](const auto& each) { return each.name == name; })) {
      std::vector<std::string_view> known_names;
      for (const auto& each : known) known_names.push_back(each.name);
      throw sys::Error(
          fmt::format("--isolation-off {}: unknown protection; known: {}", name, fmt::join(known_names, ",")));
    }
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

InstanceSpec without_protections(InstanceSpec spec, const std::vector<std::string>& off) {
  for (const auto& protection : removable_protections()) {
    if (std::find(off.begin(), off.end(), protection.name) != off.end()) spec.*protection.keeps = false;
  }
  return spec;
}

std::vector<reports::Case> isolation_cases(const CaseFlags& flags) {
  return {reports::Case{"probe", "probe", {}, flags.limits}};
}

Step make_isolation_step(const SuiteOptions& options) {
  return [isolation = options.isolation, rootfs = options.image.rootfs()](Backend& backend, const StepInput& input) {
    // vm+container: the probe's container is compared with the guest it runs in, by the guest's benchrun.
    if (judged_in_guest(backend)) return isolation_in_guest(backend, input, isolation, rootfs);
    return measure_isolation(backend, input, isolation, rootfs);
  };
}

HostMarkers read_host_markers(long shm_key) {
  HostMarkers markers;
  markers.pid = ::getpid();
  markers.comm = first_line(sys::read_file("/proc/self/comm"));
  char hostname[256] = {};
  if (::gethostname(hostname, sizeof hostname - 1) != 0) sys::throw_errno("gethostname");
  markers.hostname = hostname;
  markers.shm_key = shm_key;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net", error)) {
    const std::string name = entry.path().filename().string();
    if (name == "lo") continue;
    std::string mac;
    if (auto address = sys::read_file_if_present(entry.path() / "address")) mac = first_line(*address);
    if (mac == "00:00:00:00:00:00") mac.clear();
    markers.interfaces.emplace_back(name, mac);
  }
  std::sort(markers.interfaces.begin(), markers.interfaces.end());
  struct stat root {};
  if (::stat("/", &root) != 0) sys::throw_errno("stat /");
  markers.root = fmt::format("{}:{}:{}", major(root.st_dev), minor(root.st_dev), root.st_ino);
  markers.namespace_inodes = {{"user", namespace_inode("user")}, {"cgroup", namespace_inode("cgroup")}};
  markers.boot_id = first_line(sys::read_file("/proc/sys/kernel/random/boot_id"));
  return markers;
}

HostShmSegment::HostShmSegment() {
  for (int attempt = 0; attempt < shm_key_attempts; ++attempt) {
    std::uint32_t random = 0;
    if (::getrandom(&random, sizeof random, 0) != sizeof random) sys::throw_errno("getrandom");
    const auto key = static_cast<key_t>(random & 0x7fffffff);
    if (key == IPC_PRIVATE) continue;
    id_ = ::shmget(key, shm_segment_bytes, IPC_CREAT | IPC_EXCL | 0600);
    if (id_ >= 0) {
      key_ = key;
      return;
    }
    if (errno != EEXIST) sys::throw_errno("isolation: make the host's SysV shm segment");
  }
  throw sys::Error("isolation: no free SysV shm key after 16 tries");
}

HostShmSegment::~HostShmSegment() {
  if (id_ >= 0) ::shmctl(id_, IPC_RMID, nullptr);
}

}  // namespace benchrun::harness
