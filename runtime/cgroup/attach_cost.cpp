#include "runtime/cgroup/attach_cost.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <sstream>
#include <thread>
#include <utility>

#include "runtime/cgroup/cgroup.hpp"
#include "runtime/cgroup/cgroup_dir.hpp"
#include "runtime/sweep.hpp"
#include "sys/clock.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::runtime {
namespace {

// A child that only waits to be killed: something to attach. The destructor kills and reaps it.
class PausedChild {
 public:
  static PausedChild start() {
    const pid_t pid = ::fork();
    if (pid < 0) sys::throw_errno("fork a process to attach");
    if (pid == 0) {
      for (;;) ::pause();  // SIGKILL ends it; every other signal stays blocked as the parent had it
    }
    return PausedChild(pid);
  }
  PausedChild(PausedChild&& other) noexcept : pid_(std::exchange(other.pid_, -1)) {}
  PausedChild& operator=(PausedChild&&) = delete;
  PausedChild(const PausedChild&) = delete;
  PausedChild& operator=(const PausedChild&) = delete;
  ~PausedChild() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

 private:
  explicit PausedChild(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

// Milliseconds to move `child` into every directory in `dirs`, one write per cgroup.procs as a runtime does.
double time_attach(const std::vector<CgroupDir>& dirs, const PausedChild& child) {
  const std::string pid = std::to_string(child.pid());
  const sys::MonotonicNs from = sys::monotonic_now();
  for (const CgroupDir& dir : dirs) sys::write_file(dir.path() / "cgroup.procs", pid);
  return static_cast<double>(sys::monotonic_now() - from) / 1e6;
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

AttachCost measure_in(const std::vector<CgroupDir>& dirs, const AttachCostOptions& options) {
  std::vector<double> cold;
  std::vector<double> warm;
  for (int attempt = 0; attempt < options.tries; ++attempt) {
    const PausedChild first = PausedChild::start();
    const PausedChild second = PausedChild::start();
    std::this_thread::sleep_for(options.settle);
    cold.push_back(time_attach(dirs, first));
    warm.push_back(time_attach(dirs, second));
  }  // each attempt's children are killed and reaped before the next settle
  return AttachCost{median_of(cold), median_of(warm), options.tries};
}

bool has_option(std::string_view options, std::string_view wanted) {
  std::size_t start = 0;
  while (start <= options.size()) {
    const std::size_t end = std::min(options.find(',', start), options.size());
    if (options.substr(start, end - start) == wanted) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

AttachCost measure_attach_cost(const AttachCostOptions& options) {
  if (options.tries < 1) throw sys::Error("measure cgroup attach cost: needs at least one try");
  const std::string name = attach_cost_cgroup_name(::getpid());
  AttachCost cost;
  try {
    std::vector<CgroupDir> dirs;  // declared before the children: they are reaped before the rmdir
    for (const std::string& hierarchy : options.hierarchies) {
      dirs.push_back(CgroupDir::create_in_parent(options.cgroup_root / hierarchy / cgroup_parent_name, name));
    }
    cost = measure_in(dirs, options);
    for (CgroupDir& dir : dirs) dir.remove();
  } catch (sys::Error& error) {
    try {
      remove_unused_cgroup_parents(options.cgroup_root);
    } catch (const sys::Error&) {  // the error that stopped the measurement is the one to report
    }
    error.add_context("measure cgroup attach cost");
    throw;
  }
  remove_unused_cgroup_parents(options.cgroup_root);
  return cost;
}

std::string attach_cost_cgroup_name(pid_t owner) { return "doctor-" + std::to_string(owner); }

std::optional<pid_t> attach_cost_cgroup_owner(std::string_view cgroup_name) {
  constexpr std::string_view prefix = "doctor-";
  if (!cgroup_name.starts_with(prefix) || cgroup_name.size() == prefix.size()) return std::nullopt;
  pid_t pid = 0;
  for (const char digit : cgroup_name.substr(prefix.size())) {
    if (digit < '0' || digit > '9' || pid > 100'000'000) return std::nullopt;
    pid = pid * 10 + (digit - '0');
  }
  return pid;
}

std::optional<bool> rcu_grace_periods_expedited(const std::filesystem::path& knob) {
  try {
    const std::string value = sys::read_file(knob);
    return !value.empty() && value.front() != '0';
  } catch (const sys::Error&) {
    return std::nullopt;
  }
}

std::vector<CgroupMount> parse_cgroup_mounts(std::string_view mountinfo) {
  std::vector<CgroupMount> mounts;
  std::istringstream lines{std::string(mountinfo)};
  for (std::string line; std::getline(lines, line);) {
    // "<id> <parent> <dev> <root> <mount point> <options> [optional fields] - <type> <source> <super options>"
    const std::size_t separator = line.find(" - ");
    if (separator == std::string::npos) continue;
    std::istringstream before(line.substr(0, separator));
    std::istringstream after(line.substr(separator + 3));
    std::string id, parent, device, root, mount_point, fs_type, source, super_options;
    before >> id >> parent >> device >> root >> mount_point;
    after >> fs_type >> source >> super_options;
    if (fs_type != "cgroup" && fs_type != "cgroup2") continue;
    mounts.push_back({mount_point, fs_type, super_options, has_option(super_options, "favordynmods")});
  }
  return mounts;
}

}  // namespace benchrun::runtime
