#include "runtime/oci/oci_config.hpp"

#include <cctype>
#include <cerrno>

#include "runtime/cgroup/conversions.hpp"
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
  if (config.network_namespace) {
    list.push_back(mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}));
  } else {
    list.push_back(mount("/sys", "bind", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"}));
  }
  list.push_back(mount("/tmp", "tmpfs", "tmpfs", {"nosuid", "nodev", "mode=1777"}));
  for (const BindMount& bind : config.binds) {
    list.push_back(mount(bind.target.c_str(), "bind", bind.source.c_str(), {"rbind", "nosuid", "nodev", "rw"}));
  }
  return list;
}

json namespaces(const ContainerConfig& config) {
  json list = json::array();
  for (const char* type : {"pid", "mount", "uts", "ipc", "cgroup"}) list.push_back({{"type", type}});
  if (config.network_namespace) {
    // A prepared namespace (the network suite's) is joined by path, as `ip netns exec` would.
    json network{{"type", "network"}};
    if (!config.network_namespace_path.empty()) network["path"] = config.network_namespace_path;
    list.push_back(std::move(network));
  }
  if (config.user_namespace) list.push_back({{"type", "user"}});
  return list;
}

// "cap_chown" -> "CAP_CHOWN": the spec spells capabilities in capitals.
json capabilities() {
  json names = json::array();
  for (const char* name : kernel::default_capability_names()) {
    std::string upper(name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    names.push_back(upper);
  }
  return {{"bounding", names}, {"effective", names}, {"permitted", names}, {"inheritable", names}};
}

json resources(const ResourceLimits& limits) {
  json out = json::object();
  if (limits.memory_bytes) out["memory"] = {{"limit", *limits.memory_bytes}};
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
  rules.push_back({{"names", {"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", ENOSYS}});
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
                        {"maskedPaths", kernel::masked_paths},
                        {"readonlyPaths", kernel::readonly_proc_paths}};
  if (config.user_namespace) {
    linux_section["uidMappings"] = id_mappings();
    linux_section["gidMappings"] = id_mappings();
  }
  if (config.seccomp) linux_section["seccomp"] = seccomp();
  return {{"ociVersion", oci_version},
          {"root", {{"path", layout.root.string()}, {"readonly", layout.root_readonly}}},
          {"hostname", config.hostname.empty() ? config.name : config.hostname},
          {"process",
           {{"terminal", false},
            {"user", {{"uid", 0}, {"gid", 0}}},
            {"args", config.argv},
            {"env", config.env},
            {"cwd", "/"},
            {"capabilities", capabilities()},
            {"noNewPrivileges", true}}},
          {"mounts", mounts(config)},
          {"linux", linux_section}};
}

}  // namespace benchrun::runtime::oci
