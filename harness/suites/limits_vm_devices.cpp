#include "harness/suites/limits_vm_devices.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "runtime/cgroup/device_bpf.hpp"
#include "runtime/cgroup/mode.hpp"

namespace benchrun::harness {
namespace {

namespace fs = std::filesystem;
using reports::Verdict;
namespace key = vm_devices_key;

constexpr unsigned mem_major = 1;  // /dev/mem's major: null is 1:3, kmsg 1:11
constexpr unsigned null_minor = 3;
constexpr unsigned kmsg_minor = 11;
constexpr const char* allow_all_line = "a *:* rwm";

// What the probe process sends back through its pipe.
struct ProbeReport {
  int join_errno;
  int kmsg_errno;
  int null_errno;
};

// 0 when the node opened write-only (and, with `write_byte`, took a byte), else the errno.
int open_for_writing(const char* path, bool write_byte) {
  const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int result = 0;
  if (write_byte && ::write(fd, "x", 1) != 1) result = errno != 0 ? errno : EIO;
  ::close(fd);
  return result;
}

// The forked probe: the parent has threads, so only system calls from here on (no allocation, no stdio).
[[noreturn]] void run_probe(const char* procs, const char* kmsg, const char* null, int report_fd) {
  ProbeReport report{0, 0, 0};
  char reversed[24];
  char digits[24];
  std::size_t length = 0;
  for (pid_t pid = ::getpid(); pid > 0 || length == 0; pid /= 10)
    reversed[length++] = static_cast<char>('0' + pid % 10);
  for (std::size_t i = 0; i < length; ++i) digits[i] = reversed[length - 1 - i];
  const int fd = ::open(procs, O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    report.join_errno = errno;
  } else {
    if (::write(fd, digits, length) < 0) report.join_errno = errno;
    ::close(fd);
  }
  if (report.join_errno == 0) {
    report.kmsg_errno = open_for_writing(kmsg, false);
    report.null_errno = open_for_writing(null, true);
  }
  const ssize_t written = ::write(report_fd, &report, sizeof report);
  ::_exit(written == static_cast<ssize_t>(sizeof report) ? 0 : 1);
}

// The probe's private directory and its nodes, removed whatever happened.
class NodeDirectory {
 public:
  explicit NodeDirectory(const fs::path& parent) {
    std::string pattern = (parent / "devprobe-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      error_ = errno;
      return;
    }
    dir_ = pattern;
    struct statvfs info {};
    if (::statvfs(dir_.c_str(), &info) != 0) {
      error_ = errno;
    } else if ((info.f_flag & ST_NODEV) != 0) {
      error_ = EACCES;  // a node on a nodev mount never opens: the probe would say nothing of the cgroup
    } else if (::mknod(kmsg().c_str(), S_IFCHR | 0600, makedev(mem_major, kmsg_minor)) != 0 ||
               ::mknod(null().c_str(), S_IFCHR | 0600, makedev(mem_major, null_minor)) != 0) {
      error_ = errno;
    }
  }
  ~NodeDirectory() {
    if (dir_.empty()) return;
    ::unlink(kmsg().c_str());
    ::unlink(null().c_str());
    ::rmdir(dir_.c_str());
  }
  NodeDirectory(const NodeDirectory&) = delete;
  NodeDirectory& operator=(const NodeDirectory&) = delete;

  [[nodiscard]] int error() const noexcept { return error_; }
  [[nodiscard]] fs::path kmsg() const { return dir_ / "kmsg"; }
  [[nodiscard]] fs::path null() const { return dir_ / "null"; }

 private:
  fs::path dir_;
  int error_ = 0;
};

std::optional<std::string> read_small(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

// QEMU's cgroups that may hold its device rules, from /proc/<pid>/cgroup: the v1 devices hierarchy's (mounted
// under its controllers' names) and the unified hierarchy's (at `unified_root`: the root of a pure v2 host, or
// <root>/unified on a hybrid one, where libvirt attaches its device program when it can: cgroup BPF works there).
struct QemuCgroups {
  std::optional<fs::path> v1_devices;
  std::optional<fs::path> unified;
};

QemuCgroups qemu_cgroups(pid_t pid, const std::optional<fs::path>& unified_root) {
  QemuCgroups found;
  const auto text = read_small(fs::path("/proc") / std::to_string(pid) / "cgroup");
  if (!text) return found;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t first = line.find(':');
    const std::size_t second = line.find(':', first == std::string::npos ? first : first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const fs::path relative = fs::path(line.substr(second + 1)).relative_path();
    if (controllers.empty()) {
      if (unified_root) found.unified = *unified_root / relative;
      continue;
    }
    std::istringstream names(controllers);
    for (std::string name; std::getline(names, name, ',');) {
      if (name == "devices") found.v1_devices = fs::path("/sys/fs/cgroup") / controllers / relative;
    }
  }
  return found;
}

std::string errno_text(int value) {
  if (value == 0) return "0";
  const char* name = strerrorname_np(value);
  return name != nullptr ? name : std::to_string(value);
}

std::optional<double> figure(const std::map<std::string, double>& figures, const std::string& name) {
  const auto found = figures.find(name);
  return found == figures.end() ? std::nullopt : std::optional(found->second);
}

std::optional<int> errno_figure(const std::map<std::string, double>& figures, const char* name) {
  const auto value = figure(figures, name);
  return value ? std::optional(static_cast<int>(*value)) : std::nullopt;
}

Verdict verdict_named(std::string check, std::string configured) {
  Verdict verdict;
  verdict.check = std::move(check);
  verdict.configured = std::move(configured);
  return verdict;
}

void conclude(Verdict& verdict, const std::vector<std::string>& failures, std::string pass_reason,
              const VmObservation& seen) {
  verdict.pass = failures.empty();
  verdict.why = verdict.pass ? std::move(pass_reason)
                             : fmt::format("{}{}", fmt::join(failures, "; "),
                                           seen.limit_applied ? "" : " (ran without its limit: --limits-off)");
}

// Why the probe said nothing of an open, or nullopt when it did.
std::optional<std::string> probe_missing(const VmObservation& seen) {
  const auto found = errno_figure(seen.host, key::cgroup_found);
  const auto setup = errno_figure(seen.host, key::probe_setup_errno);
  const auto join = errno_figure(seen.host, key::probe_join_errno);
  if (!found) return std::string("the host read nothing of QEMU's devices cgroup (the guest never came up?)");
  if (*found == 0) return std::string("the host found no devices cgroup of QEMU's in /proc/<qemu>/cgroup");
  if (setup && *setup != 0)
    return fmt::format("the host could not make the probe's nodes or start it: {}", errno_text(*setup));
  if (!join) return std::string("the probe reported nothing");
  if (*join != 0) return fmt::format("the probe could not join QEMU's devices cgroup: {}", errno_text(*join));
  return std::nullopt;
}

// devprobe's own result inside the guest, for the record.
std::string guest_side(const VmObservation& seen) {
  const auto& metrics = seen.workload.metrics;
  const auto open = metrics.find("open_errno");
  const auto mknod = metrics.find("mknod_errno");
  if (open == metrics.end() || mknod == metrics.end())
    return fmt::format("inside the guest devprobe reported no open: {}", how_it_ended(seen.workload));
  return fmt::format("inside the guest devprobe's kmsg node: mknod {}, open {}",
                     errno_text(static_cast<int>(mknod->second)), errno_text(static_cast<int>(open->second)));
}

Verdict judge_host_view(const VmObservation& seen) {
  Verdict verdict = verdict_named("devices.host_view", "deny all but libvirt's ACL");
  std::vector<std::string> failures;
  std::string pass_reason;
  const auto found = figure(seen.host, key::cgroup_found);
  const auto domain = figure(seen.host, key::cgroup_is_domain);
  const bool v2 = figure(seen.host, key::cgroup_v2) == 1.0;
  if (found != 1.0) {
    failures.emplace_back("the host found no devices cgroup of QEMU's");
  } else {
    if (domain != 1.0)
      failures.emplace_back(
          "QEMU is in no devices cgroup libvirt made for the domain (the driver made none: --limits-off devices "
          "opens it without cgroups)");
    if (v2) {
      const auto programs = figure(seen.host, key::programs);
      verdict.unit = "programs";
      if (programs) verdict.measured = *programs;
      if (!programs) {
        failures.emplace_back("the device programs of QEMU's cgroup could not be queried (bpf BPF_PROG_QUERY)");
      } else if (*programs == 0) {
        failures.emplace_back("no device program is attached to QEMU's cgroup or its ancestors");
      }
      pass_reason = fmt::format(
          "QEMU is in the domain's cgroup, {:.0f} device program(s) attached to it or its ancestors (bpf "
          "BPF_PROG_QUERY)",
          programs.value_or(0));
    } else {
      const auto rules = figure(seen.host, key::list_rules);
      const auto allows_all = figure(seen.host, key::list_allows_all);
      if (!rules) {
        failures.emplace_back("devices.list of QEMU's devices cgroup could not be read");
      } else {
        verdict.measured = allows_all == 1.0 ? std::string(allow_all_line) : fmt::format("{:.0f} rules", *rules);
        if (allows_all == 1.0) failures.emplace_back("devices.list of QEMU's devices cgroup reads \"a *:* rwm\"");
      }
      pass_reason = fmt::format(
          "QEMU is in the domain's devices cgroup, whose devices.list holds {:.0f} rules, none \"a *:* rwm\"",
          rules.value_or(0));
    }
  }
  conclude(verdict, failures, pass_reason, seen);
  return verdict;
}

Verdict judge_denied(const VmObservation& seen) {
  Verdict verdict = verdict_named("devices.denied", "EPERM");
  std::vector<std::string> failures;
  if (const auto missing = probe_missing(seen)) {
    failures.push_back(*missing);
  } else {
    const auto kmsg = errno_figure(seen.host, key::probe_kmsg_errno);
    if (!kmsg) {
      failures.emplace_back("the probe reported no open of the kmsg node");
    } else {
      verdict.measured = errno_text(*kmsg);
      if (*kmsg == 0) {
        failures.emplace_back(
            "a process in QEMU's devices cgroup opened the kmsg node (c 1:11, not in libvirt's ACL) for writing");
      } else if (*kmsg != EPERM) {
        failures.push_back(
            fmt::format("opening the kmsg node in QEMU's devices cgroup failed with {}, not EPERM", errno_text(*kmsg)));
      }
    }
  }
  conclude(verdict, failures,
           "a process in QEMU's devices cgroup got EPERM opening the kmsg node (c 1:11, not in libvirt's ACL) "
           "write-only",
           seen);
  // What the guest's kernel said is reported, never judged: the host enforces only QEMU's cgroup.
  verdict.why += fmt::format("; {} (the guest's own kernel: reported, not judged; judged is what the host enforces)",
                             guest_side(seen));
  return verdict;
}

Verdict judge_allowed(const VmObservation& seen) {
  Verdict verdict = verdict_named("devices.allowed_still_work", "0");
  std::vector<std::string> failures;
  if (const auto missing = probe_missing(seen)) {
    failures.push_back(*missing);
  } else {
    const auto null = errno_figure(seen.host, key::probe_null_errno);
    if (!null) {
      failures.emplace_back("the probe reported no write to the null node");
    } else {
      verdict.measured = errno_text(*null);
      if (*null != 0)
        failures.push_back(
            fmt::format("writing to the null node (c 1:3, in libvirt's ACL) in QEMU's devices cgroup "
                        "failed with {}",
                        errno_text(*null)));
    }
  }
  conclude(verdict, failures, "a process in QEMU's devices cgroup wrote a byte to the null node (c 1:3, allowed)",
           seen);
  return verdict;
}

}  // namespace

bool is_libvirt_domain_cgroup(const fs::path& path) {
  for (const auto& component : path) {
    const std::string name = component.string();
    if (name.ends_with(".libvirt-qemu")) return true;
    if (name.starts_with("machine-qemu") && name.ends_with(".scope")) return true;
  }
  return false;
}

DeviceProbeResult probe_devices_cgroup(const fs::path& cgroup_dir, const fs::path& scratch_parent) {
  DeviceProbeResult result;
  const NodeDirectory nodes(scratch_parent);
  if (nodes.error() != 0) {
    result.setup_errno = nodes.error();
    return result;
  }
  // Everything the probe needs is made before the fork.
  const std::string procs = (cgroup_dir / "cgroup.procs").string();
  const std::string kmsg = nodes.kmsg().string();
  const std::string null = nodes.null().string();
  int pipe_fds[2] = {-1, -1};
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    result.setup_errno = errno;
    return result;
  }
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipe_fds[0]);
    run_probe(procs.c_str(), kmsg.c_str(), null.c_str(), pipe_fds[1]);
  }
  const int fork_errno = child < 0 ? errno : 0;
  ::close(pipe_fds[1]);
  ProbeReport report{};
  ssize_t got = -1;
  if (child > 0) {
    do {
      got = ::read(pipe_fds[0], &report, sizeof report);
    } while (got < 0 && errno == EINTR);
    // Reaped before anything else: the probe leaves QEMU's cgroup as it exits, so libvirt can remove it.
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
  }
  ::close(pipe_fds[0]);
  if (child < 0) {
    result.setup_errno = fork_errno;
  } else if (got != static_cast<ssize_t>(sizeof report)) {
    result.setup_errno = EIO;  // the probe died before it reported
  } else {
    result.join_errno = report.join_errno;
    result.kmsg_errno = report.kmsg_errno;
    result.null_errno = report.null_errno;
  }
  return result;
}

std::map<std::string, double> read_vm_devices_view(pid_t qemu_pid, const fs::path& scratch_parent) {
  std::map<std::string, double> view;
  try {
    const runtime::CgroupMode mode = runtime::detect_cgroup_mode("/sys/fs/cgroup");
    std::optional<fs::path> unified_root;
    if (mode == runtime::CgroupMode::v2) unified_root = "/sys/fs/cgroup";
    if (mode == runtime::CgroupMode::hybrid) unified_root = "/sys/fs/cgroup/unified";
    const QemuCgroups cgroups = qemu_cgroups(qemu_pid, unified_root);
    // Where libvirt put QEMU decides what enforces: a v1 devices cgroup of the domain's (devices.list), else the
    // domain's unified cgroup (a device program; libvirt prefers it on a hybrid host too), else nothing (QEMU in
    // the cgroups benchrun runs in: what is there is judged, and is no domain's).
    const bool v1_domain = cgroups.v1_devices && is_libvirt_domain_cgroup(*cgroups.v1_devices);
    const bool unified_domain = cgroups.unified && is_libvirt_domain_cgroup(*cgroups.unified);
    const bool programs = !v1_domain && cgroups.unified && (unified_domain || !cgroups.v1_devices);
    const std::optional<fs::path> cgroup = programs ? cgroups.unified : cgroups.v1_devices;
    view[key::cgroup_found] = cgroup ? 1.0 : 0.0;
    if (!cgroup) return view;
    view[key::cgroup_v2] = programs ? 1.0 : 0.0;
    view[key::cgroup_is_domain] = is_libvirt_domain_cgroup(*cgroup) ? 1.0 : 0.0;
    if (programs) {
      // BPF_F_ALLOW_MULTI: the programs of the ancestors run too; all must allow an access.
      std::uint32_t attached = 0;
      bool queried = true;
      for (fs::path dir = *cgroup; dir.has_relative_path() && dir != *unified_root; dir = dir.parent_path()) {
        const auto count = runtime::attached_device_programs(dir);
        if (!count) queried = false;
        attached += count.value_or(0);
      }
      if (queried) view[key::programs] = attached;
    } else if (const auto list = read_small(*cgroup / "devices.list")) {
      std::istringstream lines(*list);
      double rules = 0;
      bool allows_all = false;
      for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        ++rules;
        allows_all = allows_all || line == allow_all_line;
      }
      view[key::list_rules] = rules;
      view[key::list_allows_all] = allows_all ? 1.0 : 0.0;
    }
    DeviceProbeResult probe = probe_devices_cgroup(*cgroup, scratch_parent);
    // A threaded cgroup (libvirt's emulator/vcpuN in the unified hierarchy) takes no process: the probe joins the
    // threaded subtree's domain above it, whose device programs run for the whole subtree.
    for (fs::path dir = cgroup->parent_path();
         programs && probe.join_errno == EOPNOTSUPP && dir.has_relative_path() && dir != *unified_root;
         dir = dir.parent_path()) {
      probe = probe_devices_cgroup(dir, scratch_parent);
    }
    view[key::probe_setup_errno] = probe.setup_errno;
    if (probe.setup_errno == 0) view[key::probe_join_errno] = probe.join_errno;
    if (probe.setup_errno == 0 && probe.join_errno == 0) {
      view[key::probe_kmsg_errno] = probe.kmsg_errno;
      view[key::probe_null_errno] = probe.null_errno;
    }
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): what was not read is absent, and judged so
  }
  return view;
}

std::vector<Verdict> judge_vm_devices(const LimitCheck& /*check*/, const VmObservation& seen) {
  return {judge_denied(seen), judge_allowed(seen), judge_host_view(seen)};
}

}  // namespace benchrun::harness
