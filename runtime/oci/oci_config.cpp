#include "runtime/oci/oci_config.hpp"

#include <cctype>
#include <cerrno>
#include <string_view>
#include <utility>

#include "runtime/cgroup/conversions.hpp"
#include "runtime/cgroup/devices.hpp"
#include "runtime/linux/rootfs.hpp"
#include "runtime/linux/security.hpp"

namespace benchrun::runtime::oci {
namespace {

using nlohmann::json;

json mount(const char* destination, const char* type, const char* source, std::vector<std::string> options) {
  return json{{"destination", destination}, {"type", type}, {"source", source}, {"options", std::move(options)}};
}

// The mounts our container makes (runtime/linux/rootfs.cpp). Without a network namespace of its own an
// instance may not mount sysfs, so /sys is the host's, bound read-only, as ours falls back to.
json mounts(const ContainerConfig& config) {
  json list = json::array();
  list.push_back(mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}));
  // Not nodev, unlike ours: the runtimes make /dev/null and the other default devices on this tmpfs.
  list.push_back(mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}));
  list.push_back(
      mount("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}));
  list.push_back(mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}));
  std::vector<std::string> sys_options = {"nosuid", "noexec", "nodev"};
  if (config.readonly_sys) sys_options.emplace_back("ro");
  if (config.network_namespace) {
    list.push_back(mount("/sys", "sysfs", "sysfs", sys_options));
  } else {
    sys_options.insert(sys_options.begin(), "rbind");
    list.push_back(mount("/sys", "bind", "/sys", sys_options));
  }
  list.push_back(mount("/tmp", "tmpfs", "tmpfs", {"nosuid", "nodev", "mode=1777"}));
  for (const BindMount& bind : config.binds) {
    list.push_back(mount(bind.target.c_str(), "bind", bind.source.c_str(), {"rbind", "nosuid", "nodev", "rw"}));
  }
  return list;
}

json namespaces(const ContainerConfig& config) {
  json list = json::array();
  const std::pair<bool, const char*> kinds[] = {{config.pid_namespace, "pid"},
                                                {true, "mount"},
                                                {config.uts_namespace, "uts"},
                                                {config.ipc_namespace, "ipc"},
                                                {config.cgroup_namespace, "cgroup"}};
  for (const auto& [wanted, type] : kinds) {
    if (wanted) list.push_back({{"type", type}});
  }
  if (config.network_namespace) {
    // A prepared namespace (the network suite's) is joined by path, as `ip netns exec` would.
    json network{{"type", "network"}};
    if (!config.network_namespace_path.empty()) network["path"] = config.network_namespace_path;
    list.push_back(std::move(network));
  }
  if (config.user_namespace) list.push_back({{"type", "user"}});
  return list;
}

// "cap_chown" -> "CAP_CHOWN": the spec spells capabilities in capitals. Without dropping, every capability of
// this process's bounding set (the runtime can pass on no other) that libcap can name (a number it cannot
// name is unknown to the runtimes too).
json capabilities(bool drop_capabilities) {
  std::vector<std::string> kept;
  if (drop_capabilities) {
    for (const char* name : kernel::default_capability_names()) kept.emplace_back(name);
  } else {
    for (cap_value_t value = 0; value < static_cast<cap_value_t>(cap_max_bits()); ++value) {
      if (cap_get_bound(value) <= 0) continue;
      char* name = cap_to_name(value);
      if (name != nullptr && std::string_view(name).starts_with("cap_")) kept.emplace_back(name);
      cap_free(name);
    }
  }
  json names = json::array();
  for (const std::string& name : kept) {
    std::string upper(name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    names.push_back(upper);
  }
  return {{"bounding", names}, {"effective", names}, {"permitted", names}, {"inheritable", names}};
}

json resources(const ResourceLimits& limits) {
  json out = json::object();
  if (limits.memory_bytes) out["memory"] = {{"limit", *limits.memory_bytes}};
  // The OCI spec's swap is memory+swap, as v1's memsw (crun and runc subtract the limit on v2).
  if (limits.memory_swap_bytes) out["memory"]["swap"] = memory_swap_limit(limits);
  json cpu = json::object();
  if (limits.cpus) {
    const CpuQuota quota = cpus_to_quota(*limits.cpus);
    cpu["quota"] = quota.quota_us;
    cpu["period"] = quota.period_us;
  }
  if (limits.cpu_weight) cpu["shares"] = weight_to_shares(*limits.cpu_weight);
  if (limits.cpuset_cpus) cpu["cpus"] = *limits.cpuset_cpus;
  if (!cpu.empty()) out["cpu"] = cpu;
  if (limits.pids_max) out["pids"] = {{"limit", *limits.pids_max}};
  json block_io = json::object();
  const auto throttle = [&](const char* key, const IoDeviceLimit& device, const std::optional<std::uint64_t>& rate) {
    if (rate) block_io[key].push_back({{"major", device.major}, {"minor", device.minor}, {"rate", *rate}});
  };
  for (const IoDeviceLimit& device : limits.io) {
    throttle("throttleReadBpsDevice", device, device.read_bps);
    throttle("throttleWriteBpsDevice", device, device.write_bps);
    throttle("throttleReadIOPSDevice", device, device.read_iops);
    throttle("throttleWriteIOPSDevice", device, device.write_iops);
  }
  if (!block_io.empty()) out["blockIO"] = block_io;
  return out;
}

// Our allow list (runtime/cgroup/devices.hpp) after a deny-all rule, as Docker and Podman write it: without
// rules runc still denies all but its defaults, but crun allows every device. Off (the limits suite's flip of
// its devices check): one rule allowing all.
json devices(bool restricted) {
  if (!restricted) return json::array({{{"allow", true}, {"access", "rwm"}}});
  json rules = json::array({{{"allow", false}, {"access", "rwm"}}});
  for (const DeviceRule& rule : default_allowed_devices()) {
    json entry{{"allow", true}, {"type", std::string(1, rule.type)}, {"access", std::string(rule.access)}};
    if (rule.major) entry["major"] = *rule.major;
    if (rule.minor) entry["minor"] = *rule.minor;
    rules.push_back(std::move(entry));
  }
  return rules;
}

// Our filter (security.cpp), rule for rule: the denied calls and unshare/clone with a namespace flag get
// EPERM, clone3 ENOSYS; everything else is allowed.
json seccomp() {
  json rules = json::array();
  json denied = json::array();
  for (const char* name : kernel::denied_syscall_names()) denied.push_back(name);
  rules.push_back({{"names", denied}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", EPERM}});
  for (const int flag : kernel::denied_namespace_flags) {
    const auto mask = static_cast<std::uint64_t>(flag);
    rules.push_back({{"names", {"unshare", "clone"}},
                     {"action", "SCMP_ACT_ERRNO"},
                     {"errnoRet", EPERM},
                     {"args", {{{"index", 0}, {"value", mask}, {"valueTwo", mask}, {"op", "SCMP_CMP_MASKED_EQ"}}}}});
  }
  rules.push_back({{"names", {kernel::enosys_syscall_name}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", ENOSYS}});
  return {{"defaultAction", "SCMP_ACT_ALLOW"}, {"syscalls", rules}};
}

json id_mappings() {
  return json::array({{{"containerID", 0}, {"hostID", user_namespace_host_base}, {"size", user_namespace_size}}});
}

}  // namespace

std::string cgroups_path_for(const std::string& instance_name) {
  return "/" + instance_name + "/" + runtime_cgroup_leaf;
}

json make_config(const ContainerConfig& config, const BundleLayout& layout) {
  json linux_section = {{"namespaces", namespaces(config)},
                        {"resources", resources(config.limits)},
                        {"cgroupsPath", cgroups_path_for(config.name)},
                        {"maskedPaths", config.mask_paths ? json(kernel::masked_paths) : json::array()},
                        {"readonlyPaths", config.mask_paths ? json(kernel::readonly_proc_paths) : json::array()}};
  linux_section["resources"]["devices"] = devices(config.devices_cgroup);
  if (config.user_namespace) {
    linux_section["uidMappings"] = id_mappings();
    linux_section["gidMappings"] = id_mappings();
  }
  if (config.seccomp) linux_section["seccomp"] = seccomp();
  json out = {{"ociVersion", oci_version},
              {"root", {{"path", layout.root.string()}, {"readonly", layout.root_readonly}}},
              {"process",
               {{"terminal", false},
                {"user", {{"uid", 0}, {"gid", 0}}},
                {"args", config.argv},
                {"env", config.env},
                {"cwd", "/"},
                {"capabilities", capabilities(config.drop_capabilities)},
                {"noNewPrivileges", true}}},
              {"mounts", mounts(config)},
              {"linux", linux_section}};
  // A hostname needs a UTS namespace of its own (the runtimes refuse one without).
  if (config.uts_namespace) out["hostname"] = config.hostname.empty() ? config.name : config.hostname;
  return out;
}

}  // namespace benchrun::runtime::oci
