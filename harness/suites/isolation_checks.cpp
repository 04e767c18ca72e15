#include "harness/suites/isolation_checks.hpp"

#include <sched.h>
#include <sys/capability.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <cstdint>

#include "protocol/isolation_probe.hpp"
#include "runtime/linux/rootfs.hpp"
#include "runtime/linux/security.hpp"

namespace benchrun::harness {
namespace {

using World = Confinement::World;

// The calls the probe tries that only a seccomp filter refuses (probe.cpp, check_seccomp_calls), as it
// names them: `seccomp.<call>`. "unshare" is unshare(CLONE_NEWUSER).
constexpr std::string_view seccomp_prefix = "seccomp.";

bool denied_in_runtime(std::string_view call) {
  if (call == "unshare") {
    return std::find(runtime::kernel::denied_namespace_flags.begin(), runtime::kernel::denied_namespace_flags.end(),
                     CLONE_NEWUSER) != runtime::kernel::denied_namespace_flags.end();
  }
  const auto& names = runtime::kernel::denied_syscall_names();
  return std::any_of(names.begin(), names.end(), [&](const char* name) { return call == name; });
}

std::set<std::string> all_capability_names() {
  std::set<std::string> names;
  for (cap_value_t value = 0; value < static_cast<cap_value_t>(cap_max_bits()); ++value) {
    char* name = cap_to_name(value);
    if (name != nullptr) names.insert(name);
    cap_free(name);
  }
  return names;
}

std::uint64_t capability_mask(const std::set<std::string>& names) {
  std::uint64_t mask = 0;
  for (const auto& name : names) {
    cap_value_t value = 0;
    if (cap_from_name(name.c_str(), &value) == 0 && value < 64) mask |= std::uint64_t{1} << value;
  }
  return mask;
}

std::string capability_names(std::uint64_t mask) {
  std::vector<std::string> names;
  for (cap_value_t value = 0; value < 64; ++value) {
    if ((mask & (std::uint64_t{1} << value)) == 0) continue;
    char* name = cap_to_name(value);
    names.emplace_back(name != nullptr ? name : std::to_string(value));
    cap_free(name);
  }
  return fmt::format("{}", fmt::join(names, ","));
}

// The checks that are one namespace each, with the namespace's OCI name.
const std::map<std::string_view, std::string_view> namespace_of = {
    {"pid.init_is_benchinit", "pid"}, {"pid.host_pids_hidden", "pid"},   {"uts.own_hostname", "uts"},
    {"ipc.own_objects", "ipc"},       {"net.own_interfaces", "network"}, {"mnt.own_root", "mount"},
    {"user.own_namespace", "user"},   {"cgroup.own_namespace", "cgroup"}};

// The calls a check tries, with the capability the kernel wants for it and the call a filter may refuse.
struct GuardedCall {
  std::string_view check;
  const char* capability;
  const char* call;  // nullptr: no filter of ours refuses it
};
constexpr GuardedCall guarded_calls[] = {{"mount.refused", "cap_sys_admin", "mount"},
                                         {"module_load.refused", "cap_sys_module", "finit_module"},
                                         {"reboot.refused", "cap_sys_boot", "reboot"},
                                         {"raw_socket.refused", "cap_net_raw", nullptr}};

const GuardedCall* guarded_call(std::string_view check) {
  const auto* found = std::find_if(std::begin(guarded_calls), std::end(guarded_calls),
                                   [&](const GuardedCall& each) { return each.check == check; });
  return found == std::end(guarded_calls) ? nullptr : found;
}

std::vector<std::string> seccomp_calls_tried(const ProbeObservations& observations) {
  std::vector<std::string> calls;
  for (const auto& [name, observation] : observations) {
    if (name.starts_with(seccomp_prefix)) calls.push_back(name.substr(seccomp_prefix.size()));
  }
  return calls;
}

std::string protection_word(const IsolationCheck& check, bool is_protected) {
  return std::string(is_protected ? check.protected_word : check.exposed_word);
}

}  // namespace

Confinement host_confinement() {
  Confinement confinement;
  confinement.world = World::host;
  confinement.source = "native runs on the host: nothing is isolated";
  confinement.capabilities = all_capability_names();
  return confinement;
}

Confinement guest_confinement() {
  Confinement confinement;
  confinement.world = World::own_kernel;
  confinement.source = "a guest kernel of its own";
  confinement.namespaces = {"pid", "uts", "ipc", "network", "mount", "user", "cgroup"};
  confinement.capabilities = all_capability_names();
  return confinement;
}

Confinement container_confinement(const runtime::ContainerConfig& config) {
  Confinement confinement;
  confinement.world = World::container;
  confinement.source = "our container: runtime/linux as its InstanceSpec configures it";
  confinement.namespaces.insert("mount");
  const std::pair<bool, const char*> optional[] = {
      {config.pid_namespace, "pid"},         {config.uts_namespace, "uts"},   {config.ipc_namespace, "ipc"},
      {config.network_namespace, "network"}, {config.user_namespace, "user"}, {config.cgroup_namespace, "cgroup"}};
  for (const auto& [on, name] : optional) {
    if (on) confinement.namespaces.insert(name);
  }
  if (config.drop_capabilities) {
    for (const char* name : runtime::kernel::default_capability_names()) confinement.capabilities.insert(name);
  } else {
    confinement.capabilities = all_capability_names();
  }
  if (config.seccomp) {
    for (const char* name : runtime::kernel::denied_syscall_names()) confinement.seccomp_denied.insert(name);
    if (denied_in_runtime("unshare")) confinement.seccomp_denied.insert("unshare");
    confinement.seccomp_denied.insert(runtime::kernel::enosys_syscall_name);
  }
  if (config.mask_paths) {
    confinement.masked_paths.assign(runtime::kernel::masked_paths.begin(), runtime::kernel::masked_paths.end());
    confinement.readonly_paths.assign(runtime::kernel::readonly_proc_paths.begin(),
                                      runtime::kernel::readonly_proc_paths.end());
  }
  confinement.readonly_sys = config.readonly_sys;
  return confinement;
}

Confinement oci_confinement(const nlohmann::json& config) {
  Confinement confinement;
  confinement.world = World::container;
  confinement.source = "the config.json we give the runtime";
  const nlohmann::json& linux_section = config.value("linux", nlohmann::json::object());
  for (const auto& each : linux_section.value("namespaces", nlohmann::json::array())) {
    confinement.namespaces.insert(each.value("type", ""));
  }
  const nlohmann::json& process = config.value("process", nlohmann::json::object());
  const nlohmann::json& capabilities = process.value("capabilities", nlohmann::json::object());
  for (const auto& name : capabilities.value("effective", nlohmann::json::array())) {
    std::string lower = name.get<std::string>();
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    confinement.capabilities.insert(lower);
  }
  if (linux_section.contains("seccomp")) {
    for (const auto& rule : linux_section["seccomp"].value("syscalls", nlohmann::json::array())) {
      if (!rule.value("action", "").starts_with("SCMP_ACT_ERRNO")) continue;
      const auto args = rule.value("args", nlohmann::json::array());
      for (const auto& name : rule.value("names", nlohmann::json::array())) {
        const std::string call = name.get<std::string>();
        if (args.empty()) {
          confinement.seccomp_denied.insert(call);
        } else if (call == "unshare") {
          for (const auto& arg : args) {
            if (arg.value("op", "") == "SCMP_CMP_MASKED_EQ" && arg.value("value", std::uint64_t{0}) == CLONE_NEWUSER) {
              confinement.seccomp_denied.insert(call);
            }
          }
        }
      }
    }
  }
  for (const auto& path : linux_section.value("maskedPaths", nlohmann::json::array()))
    confinement.masked_paths.push_back(path.get<std::string>());
  for (const auto& path : linux_section.value("readonlyPaths", nlohmann::json::array()))
    confinement.readonly_paths.push_back(path.get<std::string>());
  for (const auto& mount : config.value("mounts", nlohmann::json::array())) {
    if (mount.value("destination", "") != "/sys") continue;
    const auto options = mount.value("options", std::vector<std::string>{});
    confinement.readonly_sys = std::find(options.begin(), options.end(), "ro") != options.end();
  }
  return confinement;
}

std::vector<std::string> probe_arguments(const HostMarkers& markers) {
  std::vector<std::string> interfaces;
  for (const auto& [name, mac] : markers.interfaces) interfaces.push_back(fmt::format("{}={}", name, mac));
  std::vector<std::string> namespaces;
  for (const auto& [kind, inode] : markers.namespace_inodes) namespaces.push_back(fmt::format("{}={}", kind, inode));
  return {protocol::probe_host_pid,  std::to_string(markers.pid),
          protocol::probe_host_comm, markers.comm,
          protocol::probe_hostname,  markers.hostname,
          protocol::probe_shm_key,   std::to_string(markers.shm_key),
          protocol::probe_host_net,  fmt::format("{}", fmt::join(interfaces, ",")),
          protocol::probe_host_root, markers.root,
          protocol::probe_host_ns,   fmt::format("{}", fmt::join(namespaces, ",")),
          protocol::probe_boot_id,   markers.boot_id,
          protocol::probe_masked,    fmt::format("{}", fmt::join(runtime::kernel::masked_paths, ",")),
          protocol::probe_readonly,  fmt::format("{}", fmt::join(runtime::kernel::readonly_proc_paths, ","))};
}

std::optional<std::pair<std::string, ProbeObservation>> parse_probe_line(std::string_view line) {
  const std::string_view prefix = protocol::probe_prefix;
  if (!line.starts_with(prefix)) return std::nullopt;
  line.remove_prefix(prefix.size());
  const auto name_end = line.find(' ');
  if (name_end == std::string_view::npos || name_end == 0) return std::nullopt;
  const std::string_view rest = line.substr(name_end + 1);
  const auto value_end = rest.find(' ');
  const std::string_view value = rest.substr(0, value_end);
  if (value.empty()) return std::nullopt;
  const std::string_view detail = value_end == std::string_view::npos ? "" : rest.substr(value_end + 1);
  return std::pair{std::string(line.substr(0, name_end)), ProbeObservation{std::string(value), std::string(detail)}};
}

const std::vector<IsolationCheck>& isolation_checks() {
  // clang-format off: a table, one check per line
  static const std::vector<IsolationCheck> checks = {
      {"pid.init_is_benchinit", "is PID 1 benchinit?", "benchinit", "the host's init"},
      {"pid.host_pids_hidden", "are host processes invisible?", "hidden", "visible"},
      {"uts.own_hostname", "is the hostname its own?", "own", "the host's"},
      {"ipc.own_objects", "are the host's IPC objects invisible?", "hidden", "visible"},
      {"net.own_interfaces", "are the host's network interfaces invisible?", "hidden", "visible"},
      {"mnt.own_root", "is its root mount its own?", "own", "the host's"},
      {"user.own_namespace", "does it have a user namespace of its own?", "own", "the host's"},
      {"cgroup.own_namespace", "does it have a cgroup namespace of its own?", "own", "the host's"},
      {"caps.bounded", "does it hold no capability beyond the default set (Docker's less CAP_NET_RAW)?", "bounded",
       "beyond the set"},
      {"mount.refused", "is mount(2) refused?", "refused", "allowed"},
      {"module_load.refused", "is loading a kernel module refused?", "refused", "allowed"},
      {"reboot.refused", "is reboot(2) refused?", "refused", "allowed"},
      {"raw_socket.refused", "is a raw socket refused?", "refused", "allowed"},
      {"seccomp.denied_calls", "are the calls the default seccomp filter denies refused?", "refused", "allowed"},
      {"proc.masked_paths", "are /proc and /sys paths that reveal the host masked?", "masked", "visible"},
      {"proc.readonly_paths", "are /proc entries that change the host read-only?", "read-only", "writable"},
      {"sys.read_only", "is /sys read-only?", "read-only", "read-write"},
  };
  // clang-format on
  return checks;
}

Promise promise_for(const IsolationCheck& check, const Confinement& confinement) {
  const auto& c = confinement;
  if (c.world == World::host) return {false, "native runs on the host: not isolated, as expected"};
  if (const auto ns = namespace_of.find(check.name); ns != namespace_of.end()) {
    if (c.world == World::own_kernel) return {true, "a guest kernel of its own"};
    const bool own = c.namespaces.contains(std::string(ns->second));
    return {own, fmt::format("{} {} namespace ({})", own ? "its own" : "the host's", ns->second, c.source)};
  }
  if (check.name == "caps.bounded") {
    if (c.world == World::own_kernel) return {false, "its root holds every capability of its own kernel"};
    const std::uint64_t reference = capability_mask(
        {runtime::kernel::default_capability_names().begin(), runtime::kernel::default_capability_names().end()});
    const std::uint64_t beyond = capability_mask(c.capabilities) & ~reference;
    return {beyond == 0, beyond == 0 ? fmt::format("{} capabilities ({})", c.capabilities.size(), c.source)
                                     : fmt::format("keeps {} ({})", capability_names(beyond), c.source)};
  }
  if (const GuardedCall* call = guarded_call(check.name)) {
    if (c.world == World::own_kernel) return {false, "root of its own kernel: allowed there, not on the host"};
    const bool lacks_capability = !c.capabilities.contains(call->capability);
    const bool filtered = call->call != nullptr && c.seccomp_denied.contains(call->call);
    std::vector<std::string> why;
    if (lacks_capability) why.push_back(fmt::format("no {}", call->capability));
    if (filtered) why.push_back(fmt::format("seccomp denies {}", call->call));
    if (why.empty()) return {false, fmt::format("keeps {}, no filter on it ({})", call->capability, c.source)};
    return {true, fmt::format("{} ({})", fmt::join(why, ", "), c.source)};
  }
  if (check.name == "seccomp.denied_calls") {
    if (c.world == World::own_kernel) return {false, "no filter in a guest: its own kernel"};
    return {!c.seccomp_denied.empty(), c.seccomp_denied.empty()
                                           ? fmt::format("no seccomp filter ({})", c.source)
                                           : fmt::format("{} calls denied ({})", c.seccomp_denied.size(), c.source)};
  }
  if (check.name == "proc.masked_paths" || check.name == "proc.readonly_paths") {
    if (c.world == World::own_kernel) return {false, "its own kernel's /proc: nothing of the host to hide"};
    const auto& paths = check.name == "proc.masked_paths" ? c.masked_paths : c.readonly_paths;
    return {!paths.empty(), fmt::format("{} paths ({})", paths.size(), c.source)};
  }
  if (check.name == "sys.read_only") {
    if (c.world == World::own_kernel) return {false, "benchinit mounts its own kernel's sysfs read-write"};
    return {c.readonly_sys, fmt::format("/sys {} ({})", c.readonly_sys ? "ro" : "rw", c.source)};
  }
  return {false, "no promise known"};
}

std::optional<Seen> seen_for(const IsolationCheck& check, const ProbeObservations& observations) {
  if (check.name == "caps.bounded") {
    const auto found = observations.find(std::string(check.name));
    if (found == observations.end()) return std::nullopt;
    std::uint64_t effective = 0;
    try {
      effective = std::stoull(found->second.value, nullptr, 16);
    } catch (const std::exception&) {
      return Seen{false, fmt::format("unreadable CapEff: {}", found->second.detail)};
    }
    const std::uint64_t reference = capability_mask(
        {runtime::kernel::default_capability_names().begin(), runtime::kernel::default_capability_names().end()});
    const std::uint64_t beyond = effective & ~reference;
    return Seen{beyond == 0,
                beyond == 0 ? found->second.detail
                            : fmt::format("{}; beyond the set: {}", found->second.detail, capability_names(beyond))};
  }
  if (check.name == "seccomp.denied_calls") {
    std::vector<std::string> refused;
    std::vector<std::string> allowed;
    for (const std::string& call : seccomp_calls_tried(observations)) {
      if (!denied_in_runtime(call)) continue;  // tried, but not a call of our filter: no judgement
      const auto& observation = observations.at(std::string(seccomp_prefix) + call);
      (observation.value == protocol::probe_refused ? refused : allowed).push_back(call);
    }
    if (refused.empty() && allowed.empty()) return std::nullopt;
    return Seen{allowed.empty(), fmt::format("refused: {}; allowed: {}",
                                             refused.empty() ? "none" : fmt::format("{}", fmt::join(refused, ",")),
                                             allowed.empty() ? "none" : fmt::format("{}", fmt::join(allowed, ",")))};
  }
  const auto found = observations.find(std::string(check.name));
  if (found == observations.end()) return std::nullopt;
  const std::string& value = found->second.value;
  const bool is_protected = value == protocol::probe_protected || value == protocol::probe_refused;
  return Seen{is_protected, found->second.detail};
}

std::vector<reports::Verdict> judge_isolation(const Confinement& confinement, const ProbeObservations& observations) {
  std::vector<reports::Verdict> verdicts;
  for (const IsolationCheck& check : isolation_checks()) {
    const Promise promise = promise_for(check, confinement);
    reports::Verdict verdict;
    verdict.check = std::string(check.name);
    verdict.configured = protection_word(check, promise.is_protected);
    const std::optional<Seen> seen = seen_for(check, observations);
    const auto raw = observations.find(verdict.check);
    if (raw != observations.end() && raw->second.value == protocol::probe_unsupported) {
      // The kernel lacks the call (a kernel without module support): nothing can be done, nothing judged.
      verdict.measured = std::string(protocol::probe_unsupported);
      verdict.pass = true;
      verdict.why = fmt::format("this kernel lacks the call ({}): nothing to judge; promised {} ({})",
                                raw->second.detail, protection_word(check, promise.is_protected), promise.basis);
    } else if (!seen) {
      verdict.pass = false;
      verdict.why = fmt::format("the probe did not report it; promised: {}", promise.basis);
    } else {
      verdict.measured = protection_word(check, seen->is_protected);
      verdict.pass = seen->is_protected == promise.is_protected;
      verdict.why = fmt::format("{}: promised {} ({}); seen {} ({})", verdict.pass ? "as promised" : "NOT as promised",
                                protection_word(check, promise.is_protected), promise.basis,
                                protection_word(check, seen->is_protected), seen->detail);
    }
    verdicts.push_back(std::move(verdict));
  }
  return verdicts;
}

std::vector<reports::Verdict> isolation_not_measured(const Confinement& confinement, const std::string& why) {
  std::vector<reports::Verdict> verdicts;
  for (const IsolationCheck& check : isolation_checks()) {
    const Promise promise = promise_for(check, confinement);
    reports::Verdict verdict;
    verdict.check = std::string(check.name);
    verdict.configured = protection_word(check, promise.is_protected);
    verdict.pass = false;
    verdict.why = fmt::format("not measured: {}; promised {} ({})", why, protection_word(check, promise.is_protected),
                              promise.basis);
    verdicts.push_back(std::move(verdict));
  }
  return verdicts;
}

}  // namespace benchrun::harness
