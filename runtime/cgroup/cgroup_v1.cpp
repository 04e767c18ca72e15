#include "runtime/cgroup/cgroup_v1.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/format.h>
#include <algorithm>
#include <array>

#include "runtime/cgroup/cgroup_dir.hpp"
#include "runtime/cgroup/cgroup_files.hpp"
#include "runtime/cgroup/conversions.hpp"
#include "runtime/cgroup/freezer.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::runtime {

namespace {

// The controllers an instance is placed in; net_* are not used. The freezer comes first: a sweep walks the
// hierarchies in this order, and a frozen leftover must be thawed (in its freezer directory) before the kill
// in any other hierarchy can end it (on v1 a frozen task does not die until thawed).
constexpr std::array<const char*, 8> v1_controller_names = {"freezer", "memory", "cpu",   "cpuacct",
                                                            "cpuset",  "pids",   "blkio", "devices"};

struct HierarchyDir {
  std::filesystem::path path;  // <root>/<first controller found in it>
  dev_t device;                // with inode: the identity of the hierarchy's root (cpu -> cpu,cpuacct)
  ino_t inode;
  std::vector<std::string> controllers;
};

std::vector<HierarchyDir> find_hierarchies(const std::filesystem::path& root, OptionalControllers optional) {
  std::vector<HierarchyDir> found;
  for (const char* controller : v1_controller_names) {
    if ((!optional.cpuset && controller == std::string_view("cpuset")) ||
        (!optional.io && controller == std::string_view("blkio")) ||
        (!optional.freezer && controller == std::string_view("freezer")) ||
        (!optional.devices && controller == std::string_view("devices"))) {
      continue;
    }
    const auto dir = root / controller;
    struct stat info {};
    if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) continue;
    auto same = std::find_if(found.begin(), found.end(), [&](const HierarchyDir& hierarchy) {
      return hierarchy.device == info.st_dev && hierarchy.inode == info.st_ino;
    });
    if (same == found.end()) {
      found.push_back(HierarchyDir{dir, info.st_dev, info.st_ino, {controller}});
    } else {
      same->controllers.emplace_back(controller);
    }
  }
  return found;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

class CgroupV1 final : public Cgroup {
 public:
  CgroupV1(std::filesystem::path root, const std::string& name, OptionalControllers optional) : root_(std::move(root)) {
    auto hierarchies = find_hierarchies(root_, optional);
    if (hierarchies.empty()) throw sys::Error("cgroup v1: no controller hierarchy under " + root_.string());
    for (auto& hierarchy : hierarchies) {
      dirs_.push_back(Dir{std::move(hierarchy.controllers),
                          CgroupDir::create_in_parent(hierarchy.path / cgroup_parent_name, name)});
    }
  }

  ~CgroupV1() override {
    try {
      destroy();
    } catch (...) {  // each CgroupDir's destructor retries silently; the sweep gets the rest
    }
  }

  void apply(const ResourceLimits& limits) override {
    if (limits.memory_bytes) {
      write_cgroup_file("memory", require("memory") / "memory.limit_in_bytes", std::to_string(*limits.memory_bytes));
    }
    // After memory.limit_in_bytes: the kernel refuses a memsw limit below the memory one (EINVAL).
    if (limits.memory_swap_bytes) {
      write_cgroup_file("memory", require("memory") / "memory.memsw.limit_in_bytes",
                        std::to_string(memory_swap_limit(limits)));
    }
    if (limits.cpus) {
      const auto quota = sys::with_context("cgroup cpu", [&] { return cpus_to_quota(*limits.cpus); });
      const auto cpu = require("cpu");
      write_cgroup_file("cpu", cpu / "cpu.cfs_period_us", std::to_string(quota.period_us));
      write_cgroup_file("cpu", cpu / "cpu.cfs_quota_us", std::to_string(quota.quota_us));
    }
    if (limits.cpu_weight) {
      write_cgroup_file("cpu", require("cpu") / "cpu.shares", std::to_string(weight_to_shares(*limits.cpu_weight)));
    }
    if (limits.pids_max) {
      write_cgroup_file("pids", require("pids") / "pids.max", std::to_string(*limits.pids_max));
    }
    // A v1 cpuset starts with empty cpus and mems, and a task cannot join until both are filled.
    if (const auto* cpuset = find("cpuset")) {
      fill_cpuset_from_parent(cpuset->parent_path());
      const auto parent = cpuset->parent_path();
      const auto cpus = limits.cpuset_cpus ? *limits.cpuset_cpus : trimmed(sys::read_file(parent / "cpuset.cpus"));
      write_cgroup_file("cpuset", *cpuset / "cpuset.cpus", cpus);
      write_cgroup_file("cpuset", *cpuset / "cpuset.mems", trimmed(sys::read_file(parent / "cpuset.mems")));
    } else if (limits.cpuset_cpus) {
      static_cast<void>(require("cpuset"));  // throws: a cpuset was asked for and there is none
    }
    for (const auto& device : limits.io) apply_io(device);
  }

  void restrict_devices(std::span<const DeviceRule> allowed) override {
    const auto& devices = require("devices");
    // "a" empties the exception list and denies by default; each allow line then adds one exception.
    write_cgroup_file("devices", devices / "devices.deny", "a");
    for (const DeviceRule& rule : allowed) write_cgroup_file("devices", devices / "devices.allow", v1_rule_line(rule));
  }

  [[nodiscard]] std::vector<sys::UniqueFd> open_procs_for_join() const override {
    std::vector<sys::UniqueFd> fds;
    for (const auto& dir : dirs_) {
      const auto procs = dir.dir.path() / "cgroup.procs";
      sys::UniqueFd fd(::open(procs.c_str(), O_WRONLY | O_CLOEXEC));
      if (!fd) sys::throw_errno("open " + procs.string());
      fds.push_back(std::move(fd));
    }
    return fds;
  }

  [[nodiscard]] std::optional<sys::UniqueFd> open_dir_for_clone() const override { return std::nullopt; }

  [[nodiscard]] CgroupStats stats() const override {
    return read_v1_stats([&](std::string_view controller) -> std::optional<std::filesystem::path> {
      const auto* path = find(controller);
      return path ? std::optional(*path) : std::nullopt;
    });
  }

  [[nodiscard]] std::optional<std::uint64_t> oom_kills() const override {
    const auto* memory = find("memory");
    return memory ? read_cgroup_key(*memory / "memory.oom_control", "oom_kill") : std::nullopt;
  }

  void freeze(sys::MonotonicNs deadline) override { freeze_cgroup_v1(require_freezer(), deadline); }

  void thaw(sys::MonotonicNs deadline) override { thaw_cgroup_v1(require_freezer(), deadline); }

  void destroy() override {
    // A frozen task does not die until thawed: thaw first, so the kill below ends it.
    if (const auto* freezer = find("freezer"); freezer != nullptr && cgroup_frozen_v1(*freezer).value_or(false)) {
      write_cgroup_file("freezer", *freezer / "freezer.state", "THAWED");
    }
    // Every directory is tried even if one fails; the first failure is reported.
    std::optional<sys::Error> first_failure;
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
      try {
        it->dir.remove();
      } catch (const sys::Error& error) {
        if (!first_failure) first_failure = error;
      }
    }
    if (first_failure) throw *first_failure;
    dirs_.clear();
  }

  [[nodiscard]] std::vector<std::filesystem::path> paths() const override {
    std::vector<std::filesystem::path> paths;
    for (const auto& dir : dirs_) paths.push_back(dir.dir.path());
    return paths;
  }

 private:
  struct Dir {
    std::vector<std::string> controllers;
    CgroupDir dir;
  };

  [[nodiscard]] const std::filesystem::path* find(std::string_view controller) const {
    for (const auto& dir : dirs_) {
      if (std::find(dir.controllers.begin(), dir.controllers.end(), controller) != dir.controllers.end()) {
        return &dir.dir.path();
      }
    }
    return nullptr;
  }

  [[nodiscard]] const std::filesystem::path& require(std::string_view controller) const {
    if (const auto* path = find(controller)) return *path;
    throw sys::Error(fmt::format("cgroup {}: no {} hierarchy under {}", controller, controller, root_.string()));
  }

  [[nodiscard]] const std::filesystem::path& require_freezer() const {
    if (const auto* path = find("freezer")) return *path;
    throw sys::Error(
        fmt::format("cgroup freezer: the instance has no directory in a freezer hierarchy under {}: "
                    "create it with the freezer (OptionalControllers::freezer, a freezable instance)",
                    root_.string()));
  }

  // The shared `benchrun` parent is itself a v1 cpuset: fill it once from the hierarchy root.
  static void fill_cpuset_from_parent(const std::filesystem::path& benchrun_parent) {
    const auto hierarchy_root = benchrun_parent.parent_path();
    for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
      if (!trimmed(sys::read_file(benchrun_parent / file)).empty()) continue;
      write_cgroup_file("cpuset", benchrun_parent / file, trimmed(sys::read_file(hierarchy_root / file)));
    }
  }

  void apply_io(const IoDeviceLimit& device) {
    const auto& blkio = require("blkio");
    const auto write = [&](const char* file, const std::optional<std::uint64_t>& value) {
      if (value) write_cgroup_file("blkio", blkio / file, fmt::format("{}:{} {}", device.major, device.minor, *value));
    };
    write("blkio.throttle.read_bps_device", device.read_bps);
    write("blkio.throttle.write_bps_device", device.write_bps);
    write("blkio.throttle.read_iops_device", device.read_iops);
    write("blkio.throttle.write_iops_device", device.write_iops);
  }

  std::filesystem::path root_;
  std::vector<Dir> dirs_;
};

}  // namespace

CgroupStats read_v1_stats(const std::function<std::optional<std::filesystem::path>(std::string_view)>& dir_of) {
  CgroupStats stats;
  if (const auto memory = dir_of("memory")) {
    stats.memory_current_bytes = read_cgroup_number(*memory / "memory.usage_in_bytes");
    stats.memory_peak_bytes = read_cgroup_number(*memory / "memory.max_usage_in_bytes");
    stats.oom_kills = read_cgroup_key(*memory / "memory.oom_control", "oom_kill");
  }
  if (const auto cpuacct = dir_of("cpuacct")) stats.cpu_usage_ns = read_cgroup_number(*cpuacct / "cpuacct.usage");
  if (const auto cpu = dir_of("cpu")) {
    const auto cpu_stat = *cpu / "cpu.stat";
    stats.nr_periods = read_cgroup_key(cpu_stat, "nr_periods");
    stats.nr_throttled = read_cgroup_key(cpu_stat, "nr_throttled");
    stats.throttled_ns = read_cgroup_key(cpu_stat, "throttled_time");  // v1 counts nanoseconds
  }
  if (const auto pids = dir_of("pids")) stats.pids_current = read_cgroup_number(*pids / "pids.current");
  return stats;
}

std::unique_ptr<Cgroup> create_cgroup_v1(const std::filesystem::path& root, const std::string& name,
                                         OptionalControllers optional) {
  return sys::with_context("cgroup " + name, [&] { return std::make_unique<CgroupV1>(root, name, optional); });
}

std::vector<std::filesystem::path> v1_hierarchy_dirs(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> dirs;
  for (auto& hierarchy : find_hierarchies(root, OptionalControllers{})) dirs.push_back(std::move(hierarchy.path));
  return dirs;
}

}  // namespace benchrun::runtime
