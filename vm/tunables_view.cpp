#include "vm/tunables_view.hpp"

#include <libvirt/libvirt.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "sys/clock.hpp"

namespace benchrun::vm {
namespace {

namespace fs = std::filesystem;
constexpr std::chrono::milliseconds poll_interval{20};
constexpr int cpumap_bytes = 8;  // 64 host CPUs: what a mask of doubles below 2^53 holds, and more than ours
// The disk whose throttle and counters are read: the guest's first (the limits suite gives it one).
constexpr const char* watched_disk = "vda";
// The steady window of its reads: the first second left out (QEMU's burst, see vm/tunables.hpp), and a stretch of
// reads ends at a pause of half a second (a throttled reader at 200 IOPS or 64 reads/s never pauses that long).
constexpr std::int64_t steady_skip_ns = 1'000'000'000;
constexpr std::int64_t reading_gap_ns = 500'000'000;

std::optional<std::string> read_small(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "key value" lines (cpu.stat).
std::optional<std::uint64_t> keyed(const std::string& text, std::string_view key) {
  std::istringstream lines(text);
  std::string name;
  std::uint64_t value = 0;
  while (lines >> name >> value) {
    if (name == key) return value;
  }
  return std::nullopt;
}

// "0-2,5" -> mask; nullopt when malformed or past CPU 63.
std::optional<std::uint64_t> list_mask(std::string_view list) {
  while (!list.empty() && (list.back() == '\n' || list.back() == ' ')) list.remove_suffix(1);
  if (list.empty()) return std::nullopt;
  std::uint64_t mask = 0;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view range = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    const std::size_t dash = range.find('-');
    const auto first = parse_u64(range.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : parse_u64(range.substr(dash + 1));
    if (!first || !last || *last < *first || *last > 63) return std::nullopt;
    for (std::uint64_t cpu = *first; cpu <= *last; ++cpu) mask |= 1ULL << cpu;
  }
  return mask;
}

std::uint64_t cpumap_mask(const unsigned char* map) {
  std::uint64_t mask = 0;
  for (int byte = 0; byte < cpumap_bytes; ++byte) mask |= static_cast<std::uint64_t>(map[byte]) << (8 * byte);
  return mask;
}

bool is_vcpu_thread(std::string_view comm) {
  while (!comm.empty() && comm.back() == '\n') comm.remove_suffix(1);
  return comm.starts_with("CPU ") && (comm.ends_with("/TCG") || comm.ends_with("/KVM"));
}

// The cgroup directory of a thread's `controller` (v1: /sys/fs/cgroup/<hierarchy>/<path>, the hierarchy named
// as mounted, e.g. "cpu" or "cpu,cpuacct"; a pure v2 host: /sys/fs/cgroup/<path>).
std::optional<fs::path> thread_cgroup(const fs::path& task, std::string_view controller) {
  const auto text = read_small(task / "cgroup");
  if (!text) return std::nullopt;
  std::istringstream lines(*text);
  std::string line;
  std::optional<fs::path> unified;
  while (std::getline(lines, line)) {
    const std::size_t first = line.find(':');
    const std::size_t second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string controllers = line.substr(first + 1, second - first - 1);
    const std::string path = line.substr(second + 1);
    if (controllers.empty()) {
      unified = fs::path("/sys/fs/cgroup") / fs::path(path).relative_path();
      continue;
    }
    std::istringstream names(controllers);
    std::string name;
    while (std::getline(names, name, ',')) {
      if (name == controller) return fs::path("/sys/fs/cgroup") / controllers / fs::path(path).relative_path();
    }
  }
  if (unified && fs::exists(*unified / "cgroup.controllers") && !fs::exists("/sys/fs/cgroup/unified")) return unified;
  return std::nullopt;
}

// The watched disk's <iotune> as libvirt reads it back from QEMU (virDomainGetBlockIoTune); a rate of 0 is
// no limit and is left out.
void read_iotune(virDomainPtr domain, std::map<std::string, double>& read) {
  int count = 0;
  if (virDomainGetBlockIoTune(domain, watched_disk, nullptr, &count, VIR_DOMAIN_AFFECT_LIVE) != 0 || count <= 0) return;
  std::vector<virTypedParameter> params(static_cast<std::size_t>(count));
  if (virDomainGetBlockIoTune(domain, watched_disk, params.data(), &count, VIR_DOMAIN_AFFECT_LIVE) != 0) return;
  const std::array<std::pair<const char*, const char*>, 5> wanted{{
      {VIR_DOMAIN_BLOCK_IOTUNE_READ_BYTES_SEC, view_key::iotune_read_bytes_sec},
      {VIR_DOMAIN_BLOCK_IOTUNE_READ_IOPS_SEC, view_key::iotune_read_iops_sec},
      {VIR_DOMAIN_BLOCK_IOTUNE_READ_BYTES_SEC_MAX, view_key::iotune_read_bytes_sec_max},
      {VIR_DOMAIN_BLOCK_IOTUNE_READ_IOPS_SEC_MAX, view_key::iotune_read_iops_sec_max},
      {VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC, view_key::iotune_total_bytes_sec},
  }};
  for (int i = 0; i < count; ++i) {
    const virTypedParameter& param = params[static_cast<std::size_t>(i)];
    if (param.type != VIR_TYPED_PARAM_ULLONG || param.value.ul == 0) continue;
    for (const auto& [field, key] : wanted) {
      if (std::string_view(param.field) == field) read[key] = static_cast<double>(param.value.ul);
    }
  }
  virTypedParamsClear(params.data(), count);
}

}  // namespace

std::optional<BlockReadWindow> steady_block_reads(std::span<const BlockReadSample> samples, std::int64_t skip_ns,
                                                  std::int64_t quiet_gap_ns) {
  const auto counted = [&](std::size_t i) { return samples[i].rd_req > samples[i - 1].rd_req; };
  // The last poll that counted a new request ends the stretch; walking back, the stretch's first one is where
  // the polls before it saw none for longer than the gap.
  std::size_t end = samples.size();
  for (std::size_t i = samples.size(); i-- > 1;) {
    if (counted(i)) {
      end = i;
      break;
    }
  }
  if (end == samples.size()) return std::nullopt;
  std::size_t first = end;
  for (std::size_t i = end; i-- > 1;) {
    if (!counted(i)) continue;
    if (samples[first].at_ns - samples[i].at_ns > quiet_gap_ns) break;
    first = i;
  }
  const std::size_t start = first - 1;  // the last poll before the stretch's first request
  std::size_t from = start;
  while (from < end && samples[from].at_ns < samples[start].at_ns + skip_ns) ++from;
  if (from >= end) return std::nullopt;
  BlockReadWindow window;
  window.reading_ms = static_cast<double>(samples[end].at_ns - samples[start].at_ns) / 1e6;
  window.steady_ms = static_cast<double>(samples[end].at_ns - samples[from].at_ns) / 1e6;
  window.steady_rd_bytes = samples[end].rd_bytes - samples[from].rd_bytes;
  window.steady_rd_req = samples[end].rd_req - samples[from].rd_req;
  return window;
}

std::optional<std::uint64_t> parse_hex_cpu_mask(std::string_view text) {
  std::string digits;
  for (const char c : text) {
    if (c == ',' || c == '\n' || c == ' ' || c == '\t') continue;
    digits += c;
  }
  if (digits.empty()) return std::nullopt;
  if (digits.size() > 16) {
    // CPUs past 63 set: not representable here.
    if (digits.find_first_not_of('0') < digits.size() - 16) return std::nullopt;
    digits.erase(0, digits.size() - 16);
  }
  std::uint64_t mask = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), mask, 16);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return mask;
}

struct TunablesWatch::State {
  virDomainPtr domain = nullptr;
  pid_t pid = 0;
  mutable std::mutex mutex;
  std::map<std::string, double> view;
  std::map<pid_t, std::uint64_t> run_ns;  // each thread's last schedstat time
  std::vector<pid_t> vcpus;
  std::uint64_t ran_on = 0;
  std::optional<std::uint64_t> allowed;
  bool uniform = true;
  sys::MonotonicNs first_vcpu_seen = 0;
  sys::MonotonicNs last_vcpu_seen = 0;
  std::uint64_t polls = 0;
  std::vector<BlockReadSample> block_reads;  // the watched disk's counters, one per poll
  bool block_stats_off = false;              // the disk is not there, or the guest is gone (the poller's alone)
  std::jthread poller;

  // `block_stats`: the poller thread's polls read the disk's counters too (read_now's does not: one thread
  // alone appends them, in time order).
  void poll(bool block_stats);
  void read_vcpu_cgroups();
  void read_block_stats();
};

// The watched disk's read counters, through libvirt (QEMU's query-blockstats). Stops at the first failure:
// the guest has no such disk, or it is gone.
void TunablesWatch::State::read_block_stats() {
  if (block_stats_off) return;
  virDomainBlockStatsStruct stats{};
  if (virDomainBlockStats(domain, watched_disk, &stats, sizeof stats) != 0 || stats.rd_bytes < 0 || stats.rd_req < 0) {
    block_stats_off = true;
    return;
  }
  const BlockReadSample sample{sys::monotonic_now(), static_cast<std::uint64_t>(stats.rd_bytes),
                               static_cast<std::uint64_t>(stats.rd_req)};
  const std::lock_guard lock(mutex);
  block_reads.push_back(sample);
  view[view_key::block_rd_bytes] = static_cast<double>(sample.rd_bytes);
  view[view_key::block_rd_req] = static_cast<double>(sample.rd_req);
  if (stats.wr_bytes >= 0) view[view_key::block_wr_bytes] = static_cast<double>(stats.wr_bytes);
  if (stats.wr_req >= 0) view[view_key::block_wr_req] = static_cast<double>(stats.wr_req);
}

void TunablesWatch::State::poll(bool block_stats) {
  if (block_stats) read_block_stats();
  const fs::path tasks = fs::path("/proc") / std::to_string(pid) / "task";
  std::error_code error;
  fs::directory_iterator entries(tasks, error);
  if (error) return;
  const std::lock_guard lock(mutex);
  for (const auto& entry : entries) {
    pid_t tid = 0;
    const std::string name = entry.path().filename().string();
    if (std::from_chars(name.data(), name.data() + name.size(), tid).ec != std::errc{}) continue;
    const auto schedstat = read_small(entry.path() / "schedstat");
    const auto stat = read_small(entry.path() / "stat");
    const auto status = read_small(entry.path() / "status");
    const auto comm = read_small(entry.path() / "comm");
    if (!schedstat || !stat || !status || !comm) continue;  // the thread went meanwhile
    const auto ran = parse_u64(schedstat->substr(0, schedstat->find(' ')));
    // /proc/<pid>/stat: field 39 is the CPU the thread last ran on; fields count from 3 after the ")".
    const std::size_t paren = stat->rfind(')');
    std::istringstream fields(paren == std::string::npos ? std::string() : stat->substr(paren + 2));
    std::string field;
    std::optional<std::uint64_t> processor;
    for (int index = 3; fields >> field; ++index) {
      if (index == 39) {
        processor = parse_u64(field);
        break;
      }
    }
    const auto previous = run_ns.find(tid);
    const bool ran_since = ran && (previous == run_ns.end() ? *ran > 0 : *ran > previous->second);
    if (ran_since && processor && *processor < 64) ran_on |= 1ULL << *processor;
    if (ran) run_ns[tid] = *ran;
    const std::size_t allowed_at = status->find("Cpus_allowed:");
    if (allowed_at != std::string::npos) {
      const std::size_t start = allowed_at + std::string_view("Cpus_allowed:").size();
      const auto mask = parse_hex_cpu_mask(status->substr(start, status->find('\n', start) - start));
      if (mask) {
        if (allowed && *allowed != *mask) uniform = false;
        allowed = allowed.value_or(0) | *mask;
      }
    }
    if (is_vcpu_thread(*comm)) {
      if (std::find(vcpus.begin(), vcpus.end(), tid) == vcpus.end()) vcpus.push_back(tid);
      const sys::MonotonicNs now = sys::monotonic_now();
      if (first_vcpu_seen == 0) first_vcpu_seen = now;
      last_vcpu_seen = now;
    }
    if (tid == pid) {
      const std::size_t hwm = status->find("VmHWM:");
      if (hwm != std::string::npos) {
        std::istringstream kib(status->substr(hwm + 6));
        std::uint64_t value = 0;
        if (kib >> value) view[view_key::qemu_hwm_bytes] = static_cast<double>(value * 1024);
      }
    }
  }
  ++polls;
  std::uint64_t vcpu_ns = 0;
  for (const pid_t vcpu : vcpus) vcpu_ns += run_ns[vcpu];
  view[view_key::vcpu_threads] = static_cast<double>(vcpus.size());
  if (!vcpus.empty()) {
    view[view_key::vcpu_cpu_ns] = static_cast<double>(vcpu_ns);
    view[view_key::vcpu_alive_ns] = static_cast<double>(last_vcpu_seen - first_vcpu_seen);
  }
  view[view_key::ran_on_mask] = static_cast<double>(ran_on);
  if (allowed) view[view_key::allowed_mask] = static_cast<double>(*allowed);
  view[view_key::allowed_uniform] = uniform ? 1.0 : 0.0;
  view[view_key::polls] = static_cast<double>(polls);
  read_vcpu_cgroups();
}

// The vCPU threads' cgroups (libvirt's vcpuN): read back the quota, and count periods and throttling. Kept
// from the last read that found them: they go with the guest.
void TunablesWatch::State::read_vcpu_cgroups() {
  std::optional<std::uint64_t> quota;
  std::optional<std::uint64_t> period;
  std::uint64_t periods = 0;
  std::uint64_t throttled = 0;
  std::optional<std::uint64_t> cpuset;
  bool any = false;
  bool unlimited = false;
  for (const pid_t vcpu : vcpus) {
    const fs::path task = fs::path("/proc") / std::to_string(pid) / "task" / std::to_string(vcpu);
    if (const auto cpu = thread_cgroup(task, "cpu")) {
      const auto stat = read_small(*cpu / "cpu.stat");
      if (!stat) continue;
      any = true;
      if (const auto text = read_small(*cpu / "cpu.cfs_quota_us")) {  // v1; "-1": unlimited
        quota = parse_u64(*text);
        unlimited = !quota;
        period = parse_u64(read_small(*cpu / "cpu.cfs_period_us").value_or(""));
      } else if (const auto max = read_small(*cpu / "cpu.max")) {  // v2: "max 100000" or "25000 100000"
        const std::size_t space = max->find(' ');
        quota = parse_u64(max->substr(0, space));
        unlimited = !quota;
        if (space != std::string::npos) period = parse_u64(max->substr(space + 1));
      }
      periods += keyed(*stat, "nr_periods").value_or(0);
      throttled += keyed(*stat, "nr_throttled").value_or(0);
    }
    if (const auto set = thread_cgroup(task, "cpuset")) {
      auto text = read_small(*set / "cpuset.effective_cpus");
      if (!text) text = read_small(*set / "cpuset.cpus.effective");
      if (text && list_mask(*text)) cpuset = cpuset.value_or(0) | *list_mask(*text);
    }
  }
  if (!any) return;
  // The counters only grow while the vCPU's cgroup lives: a read that counts fewer periods than an earlier one is
  // of another cgroup (the thread's, read as the guest ends and libvirt takes its cgroups down), and the earlier
  // read stands.
  if (const auto kept = view.find(view_key::nr_periods);
      kept != view.end() && static_cast<double>(periods) < kept->second) {
    return;
  }
  view.erase(view_key::cgroup_quota_us);
  if (quota && !unlimited) view[view_key::cgroup_quota_us] = static_cast<double>(*quota);
  if (period) view[view_key::cgroup_period_us] = static_cast<double>(*period);
  view[view_key::nr_periods] = static_cast<double>(periods);
  view[view_key::nr_throttled] = static_cast<double>(throttled);
  if (cpuset) view[view_key::cgroup_cpuset_mask] = static_cast<double>(*cpuset);
}

TunablesWatch::TunablesWatch(void* domain, pid_t qemu_pid) : state_(std::make_unique<State>()) {
  state_->domain = static_cast<virDomainPtr>(domain);
  state_->pid = qemu_pid;
  state_->poller = std::jthread([state = state_.get()](const std::stop_token& stop) {
    while (!stop.stop_requested()) {
      state->poll(true);
      std::this_thread::sleep_for(poll_interval);
    }
  });
}

TunablesWatch::~TunablesWatch() { stop(); }

void TunablesWatch::stop() {
  if (state_->poller.joinable()) {
    state_->poller.request_stop();
    state_->poller.join();
  }
}

void TunablesWatch::read_now() {
  State& s = *state_;
  s.poll(false);
  std::map<std::string, double> read;
  int count = 0;
  std::unique_ptr<char, decltype(&std::free)> type(virDomainGetSchedulerType(s.domain, &count), &std::free);
  if (type && count > 0) {
    std::vector<virTypedParameter> params(static_cast<std::size_t>(count));
    if (virDomainGetSchedulerParametersFlags(s.domain, params.data(), &count, VIR_DOMAIN_AFFECT_LIVE) == 0) {
      for (int i = 0; i < count; ++i) {
        const virTypedParameter& param = params[static_cast<std::size_t>(i)];
        const std::string_view field = param.field;
        if (field == VIR_DOMAIN_SCHEDULER_VCPU_QUOTA && param.value.l > 0) {
          read[view_key::sched_vcpu_quota_us] = static_cast<double>(param.value.l);
        }
        if (field == VIR_DOMAIN_SCHEDULER_VCPU_PERIOD)
          read[view_key::sched_vcpu_period_us] = static_cast<double>(param.value.ul);
        if (field == VIR_DOMAIN_SCHEDULER_CPU_SHARES)
          read[view_key::sched_cpu_shares] = static_cast<double>(param.value.ul);
      }
    }
  }
  virDomainInfo info{};
  if (virDomainGetInfo(s.domain, &info) == 0) {
    read[view_key::guest_memory_bytes] = static_cast<double>(info.maxMem) * 1024;
    const int vcpus = info.nrVirtCpu;
    std::vector<unsigned char> maps(static_cast<std::size_t>(vcpus) * cpumap_bytes);
    const int pinned = virDomainGetVcpuPinInfo(s.domain, vcpus, maps.data(), cpumap_bytes, VIR_DOMAIN_AFFECT_LIVE);
    if (pinned > 0) {
      std::uint64_t mask = 0;
      for (int vcpu = 0; vcpu < pinned; ++vcpu) mask |= cpumap_mask(maps.data() + vcpu * cpumap_bytes);
      read[view_key::vcpu_pin_mask] = static_cast<double>(mask);
    }
  }
  std::array<unsigned char, cpumap_bytes> emulator{};
  if (virDomainGetEmulatorPinInfo(s.domain, emulator.data(), cpumap_bytes, VIR_DOMAIN_AFFECT_LIVE) >= 0) {
    read[view_key::emulator_pin_mask] = static_cast<double>(cpumap_mask(emulator.data()));
  }
  read_iotune(s.domain, read);
  const std::lock_guard lock(s.mutex);
  for (auto& [key, value] : read) s.view[key] = value;
}

static_assert(domain_state_running == static_cast<int>(VIR_DOMAIN_RUNNING) &&
              domain_state_paused == static_cast<int>(VIR_DOMAIN_PAUSED));

std::optional<QemuThreadTimes> read_qemu_thread_times(pid_t qemu_pid) {
  std::error_code error;
  fs::directory_iterator entries(fs::path("/proc") / std::to_string(qemu_pid) / "task", error);
  if (error) return std::nullopt;
  QemuThreadTimes times;
  for (const auto& entry : entries) {
    const auto schedstat = read_small(entry.path() / "schedstat");
    auto comm = read_small(entry.path() / "comm");
    if (!schedstat || !comm) continue;  // the thread went meanwhile
    const auto ran = parse_u64(schedstat->substr(0, schedstat->find(' ')));
    if (!ran) continue;
    while (!comm->empty() && comm->back() == '\n') comm->pop_back();
    if (is_vcpu_thread(*comm)) {
      times.vcpu_ns += *ran;
      ++times.vcpu_threads;
    } else {
      times.other_ns += *ran;
    }
    times.by_name[*comm] += *ran;
  }
  return times;
}

void add_thread_times(const QemuThreadTimes& times, std::map<std::string, double>& view) {
  if (times.vcpu_threads > 0) view[view_key::vcpu_cpu_now_ns] = static_cast<double>(times.vcpu_ns);
  view[view_key::other_threads_cpu_now_ns] = static_cast<double>(times.other_ns);
  for (const auto& [name, ns] : times.by_name) {
    view[std::string(view_key::thread_cpu_now_prefix) + name] = static_cast<double>(ns);
  }
}

std::map<std::string, double> TunablesWatch::view() const {
  const std::lock_guard lock(state_->mutex);
  std::map<std::string, double> view = state_->view;
  if (const auto window = steady_block_reads(state_->block_reads, steady_skip_ns, reading_gap_ns)) {
    view[view_key::block_reading_ms] = window->reading_ms;
    view[view_key::block_steady_ms] = window->steady_ms;
    view[view_key::block_steady_rd_bytes] = static_cast<double>(window->steady_rd_bytes);
    view[view_key::block_steady_rd_req] = static_cast<double>(window->steady_rd_req);
  }
  return view;
}

}  // namespace benchrun::vm
