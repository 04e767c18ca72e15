#include "vm/guest.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "sys/line_reader.hpp"
#include "sys/namespace_thread.hpp"
#include "sys/unique_fd.hpp"
#include "vm/console_stream.hpp"
#include "vm/emulator_wrapper.hpp"
#include "vm/qemu_process.hpp"
#include "vm/swap_size.hpp"

namespace benchrun::vm {

struct Guest::State {
  // Declared first, destroyed last: the domain, stream and connection are released while the loop runs.
  std::shared_ptr<EventLoop> event_loop;
  VirConnect connect;
  std::optional<std::filesystem::path> embed_root;
  GuestConfig config;
  std::string domain_type;
  std::string xml;
  VirDomain domain;
  std::optional<ConsoleStream> console_stream;
  std::optional<sys::LineReader> console;
  std::filesystem::path fifo_path;
  std::unique_ptr<QemuReaper> reaper;
  sys::MonotonicNs xml_built = 0;
  sys::MonotonicNs qemu_exec = 0;
  sys::MonotonicNs create_returned = 0;
  sys::MonotonicNs first_console_output = 0;  // copied from the console/reaper before they go at teardown
  sys::MonotonicNs qemu_exited = 0;
  sys::MonotonicNs teardown_done = 0;
  std::vector<std::pair<std::string, sys::MonotonicNs>> marked_phases;  // by the caller, who reads the console
  GuestStats last_stats;
  bool torn_down = false;

  void tear_down();
  GuestStats sample_stats();
};

namespace {

// QEMU's pipe chardev opens <path>.in and <path>.out when both exist (else <path> itself, read-write,
// and then QEMU reads back what it wrote: the host would get a shuffled console). The guest's output goes
// to .out, which the host reads; .in stays silent.
std::filesystem::path fifo_in(const std::filesystem::path& path) { return path.string() + ".in"; }
std::filesystem::path fifo_out(const std::filesystem::path& path) { return path.string() + ".out"; }

void remove_console_fifos(const std::filesystem::path& path) {
  ::unlink(fifo_in(path).c_str());
  ::unlink(fifo_out(path).c_str());
}

sys::UniqueFd make_console_fifos(const std::filesystem::path& path) {
  remove_console_fifos(path);  // stale fifos of a killed run with the same name
  for (const auto& fifo : {fifo_in(path), fifo_out(path)}) {
    // 0600 root: libvirt's DAC driver hands them to the QEMU user when the domain starts.
    if (::mkfifo(fifo.c_str(), 0600) < 0) sys::throw_errno(fmt::format("mkfifo {}", fifo.string()));
  }
  // Non-blocking open of a read end succeeds without a writer; poll() then waits for QEMU's bytes, and
  // read() returns EOF once QEMU, the only writer, has exited.
  sys::UniqueFd fd(::open(fifo_out(path).c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) sys::throw_errno(fmt::format("open {}", fifo_out(path).string()));
  return fd;
}

bool domain_is_active(virDomainPtr domain) { return virDomainIsActive(domain) == 1; }

DomainRunState domain_run_state(virDomainPtr domain) {
  DomainRunState read;
  if (domain == nullptr || virDomainGetState(domain, &read.state, &read.reason, 0) < 0) return {};
  return read;
}

std::string_view state_name(int state) {
  switch (state) {
    case VIR_DOMAIN_RUNNING:
      return "running";
    case VIR_DOMAIN_BLOCKED:
      return "blocked";
    case VIR_DOMAIN_PAUSED:
      return "paused";
    case VIR_DOMAIN_SHUTDOWN:
      return "shutting down";
    case VIR_DOMAIN_SHUTOFF:
      return "shut off";
    case VIR_DOMAIN_CRASHED:
      return "crashed";
    case VIR_DOMAIN_PMSUSPENDED:
      return "suspended by the guest";
    default:
      return "no state";
  }
}

// libvirt's suspend and resume return once QEMU's `stop` / `cont` did; the state is polled after them all the
// same, so the caller's "paused" or "running" is what libvirt reads, not what it was asked.
void wait_for_state(virDomainPtr domain, int wanted, sys::MonotonicNs deadline, const char* after) {
  constexpr useconds_t poll_us = 1'000;
  for (;;) {
    const DomainRunState now = domain_run_state(domain);
    if (now.state == wanted) return;
    if (sys::monotonic_now() >= deadline) {
      throw sys::Timeout(fmt::format("{}: libvirt still reads the domain {}, not {}, at the deadline", after,
                                     state_name(now.state), state_name(wanted)));
    }
    ::usleep(poll_us);
  }
}

}  // namespace

GuestStats Guest::State::sample_stats() {
  GuestStats stats;
  stats.sampled_at = sys::monotonic_now();
  // Once QEMU was reaped (libvirt may still call the domain active for a moment): the figures taken at
  // RESULT, if QEMU still ran then, completed by QEMU's rusage: its whole CPU time and its peak RSS.
  if (const auto usage = reaper ? reaper->usage() : std::nullopt) {
    last_stats.cpu_time_ns = usage->cpu_time_ns;
    last_stats.qemu_max_rss_bytes = usage->max_rss_bytes;
    return last_stats;
  }
  if (!domain || !domain_is_active(domain.get())) return last_stats;
  virDomainInfo info{};
  if (virDomainGetInfo(domain.get(), &info) == 0) {
    stats.cpu_time_ns = info.cpuTime;
    stats.memory_max_bytes = static_cast<std::uint64_t>(info.maxMem) * 1024;
  }
  std::array<virDomainMemoryStatStruct, VIR_DOMAIN_MEMORY_STAT_NR> memory{};
  const int count = virDomainMemoryStats(domain.get(), memory.data(), memory.size(), 0);
  for (int i = 0; i < count; ++i) {
    if (memory[static_cast<std::size_t>(i)].tag == VIR_DOMAIN_MEMORY_STAT_RSS) {
      stats.memory_rss_bytes = memory[static_cast<std::size_t>(i)].val * 1024;
    }
  }
  if (reaper) stats.qemu_pss_bytes = pss_bytes(reaper->pid());
  last_stats = stats;
  return stats;
}

void Guest::State::tear_down() {
  if (torn_down) return;
  const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(config.teardown_timeout).count();
  if (domain) {
    // The guest may have powered off (on_poweroff destroy) between the check and the call: only a
    // domain still active after a failed destroy is an error.
    if (domain_is_active(domain.get()) && virDomainDestroy(domain.get()) < 0 && domain_is_active(domain.get())) {
      throw libvirt_error("virDomainDestroy");
    }
    if (virDomainIsPersistent(domain.get()) == 1 && virDomainUndefine(domain.get()) < 0) {
      throw libvirt_error("virDomainUndefine");
    }
  }
  if (reaper && !reaper->wait_exit(deadline)) {
    throw sys::Error(fmt::format("QEMU pid {} still runs {} ms after the domain was destroyed", reaper->pid(),
                                 config.teardown_timeout.count()));
  }
  if (console) first_console_output = console->first_byte_at().value_or(0);
  if (reaper) qemu_exited = reaper->exited_at();
  console_stream.reset();
  console.reset();
  reaper.reset();
  if (!fifo_path.empty()) {
    remove_console_fifos(fifo_path);
    fifo_path.clear();
  }
  domain.reset();
  teardown_done = sys::monotonic_now();
  torn_down = true;
}

Guest::Guest(std::unique_ptr<State> state) : state_(std::move(state)) {}
Guest::Guest(Guest&&) noexcept = default;
Guest& Guest::operator=(Guest&& other) noexcept {
  if (this != &other) {
    try {
      destroy();
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): a move must not throw
    }
    state_ = std::move(other.state_);
  }
  return *this;
}

Guest::~Guest() {
  try {
    destroy();
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): destructors never throw
  }
}

Guest Guest::start(Connection& connection, const GuestConfig& config) {
  return sys::with_context(fmt::format("guest {}", config.name), [&] {
    auto state = std::make_unique<State>();
    state->event_loop = connection.event_loop();
    state->connect = connection.share();
    state->embed_root = connection.embed_root();
    state->config = config;
    state->domain_type = domain_type_of(config.accelerator);
    if (config.accelerator == Accelerator::kvm && connection.domain_type() != "kvm") {
      throw sys::Error(fmt::format("KVM asked for, but libvirt at {} offers only domain type {}", connection.uri(),
                                   connection.domain_type()));
    }
    const ConsoleKind console_kind =
        config.console.value_or(connection.is_local() ? ConsoleKind::fifo : ConsoleKind::pty);
    if (console_kind == ConsoleKind::fifo && !connection.is_local()) {
      throw sys::Error("a console fifo needs a local connection; use the pty console over " + connection.uri());
    }
    for (const auto& file : {config.kernel, config.initramfs}) {
      if (connection.is_local() && !std::filesystem::is_regular_file(file)) {
        throw sys::Error(fmt::format("{} is missing (run scripts/build-image.sh)", file.string()));
      }
    }

    DomainSpec spec;
    spec.name = config.name;
    spec.domain_type = state->domain_type;
    if (!config.emulator.empty()) {
      if (!state->embed_root) throw sys::Error("the emulator wrapper needs an embedded driver (its log is read back)");
      spec.emulator = config.emulator.string();
    }
    spec.vcpus = config.vcpus;
    spec.memory_mib = config.memory_mib;
    spec.kernel = config.kernel.string();
    spec.initramfs = config.initramfs.string();
    for (const auto& file : config.disk_files) spec.disk_files.push_back(file.string());
    spec.tunables = config.tunables;
    std::vector<std::string> parameters = guest_parameters(!config.results_file.empty(), config.cgroup_layout);
    if (config.nic) {
      if (!connection.is_local() || !state->embed_root) {
        throw sys::Error("a guest NIC on a tap of benchrun's namespace needs the embedded driver (the default URI)");
      }
      spec.tap_device = config.nic->tap;
      parameters.push_back(fmt::format("{}={}", guest_network_parameter, config.nic->address));
    }
    if (config.swap_bytes) {
      parameters.push_back(fmt::format("{}={}", guest_swap_parameter, swap_size_text(*config.swap_bytes)));
    }
    parameters.insert(parameters.end(), config.extra_cmdline.begin(), config.extra_cmdline.end());
    spec.cmdline = kernel_cmdline(config.workload_argv, parameters);
    if (!config.results_file.empty()) {
      if (connection.is_local() && !std::filesystem::is_regular_file(config.results_file)) {
        throw sys::Error(
            fmt::format("results file {} is missing (a vm::ResultsFile makes it)", config.results_file.string()));
      }
      spec.results_file = config.results_file.string();
    }
    spec.console = console_kind;
    sys::UniqueFd fifo;
    if (console_kind == ConsoleKind::fifo) {
      std::filesystem::create_directories(config.state_dir);
      state->fifo_path = config.state_dir / (config.name + ".console");
      spec.console_fifo = state->fifo_path.string();
      fifo = make_console_fifos(state->fifo_path);
    }
    state->xml = domain_xml(spec);
    state->xml_built = sys::monotonic_now();

    // Autodestroy: a benchrun that dies closes its connection and the daemon destroys its guests. The
    // embedded driver refuses it ("not supported for embedded drivers yet", libvirt 9.0) and dies with
    // benchrun anyway; what a killed run left there is found by sweep_leftovers() at the next start.
    unsigned int flags = state->embed_root ? 0U : static_cast<unsigned int>(VIR_DOMAIN_START_AUTODESTROY);
    // Paused first when the console is a pty: whatever the guest prints before the stream is open is lost.
    if (console_kind == ConsoleKind::pty) flags |= VIR_DOMAIN_START_PAUSED;
    // From here on the Guest owns what exists: an exception below tears it down in ~Guest.
    Guest guest(std::move(state));
    State& s = *guest.state_;
    {
      const QemuZombieReaper probe_reaper;  // creating re-probes QEMU if it changed since the cache
      const auto create = [&] {
        s.domain.reset(virDomainCreateXML(s.connect.get(), s.xml.c_str(), flags));
        // libvirt's last error is the calling thread's: read where the call was made.
        if (!s.domain) throw libvirt_error("virDomainCreateXML");
      };
      if (s.config.nic) {
        // The embedded driver does the create in the calling thread: it opens the tap by name and forks QEMU
        // there, so both happen in the tap's namespace (checked here: libvirt 9.0, qemu:///embed).
        const sys::UniqueFd netns(::open(s.config.nic->netns_path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!netns) sys::throw_errno(fmt::format("open network namespace {}", s.config.nic->netns_path));
        sys::run_in_namespace_thread(netns.get(), CLONE_NEWNET, "setns into the guest NIC's network namespace", create);
      } else {
        create();
      }
    }
    s.create_returned = sys::monotonic_now();
    if (console_kind == ConsoleKind::fifo) {
      s.console.emplace(std::move(fifo));
    } else {
      auto [stream, read_end] = ConsoleStream::open(s.connect.get(), s.domain.get());
      s.console_stream.emplace(std::move(stream));
      s.console.emplace(std::move(read_end));
      if (virDomainResume(s.domain.get()) < 0) throw libvirt_error("virDomainResume");
    }
    if (connection.is_local()) {
      if (const auto pid = find_qemu_pid(s.config.name, s.embed_root)) s.reaper = std::make_unique<QemuReaper>(*pid);
    }
    // The wrapper wrote its stamp before QEMU ran, so it is in the log once create returned.
    if (!s.config.emulator.empty()) s.qemu_exec = read_qemu_exec_stamp(*s.embed_root, s.config.name).value_or(0);
    return guest;
  });
}

const std::string& Guest::name() const noexcept { return state_->config.name; }
const std::string& Guest::domain_type() const noexcept { return state_->domain_type; }
const std::string& Guest::xml() const noexcept { return state_->xml; }
std::optional<pid_t> Guest::qemu_pid() const noexcept {
  if (!state_->reaper) return std::nullopt;
  return state_->reaper->pid();
}

std::optional<sys::ConsoleLine> Guest::next_line(sys::MonotonicNs deadline, int wake_fd) {
  if (!state_->console) return std::nullopt;
  // Timeout and Interrupted come out as themselves: callers tell a timeout from a failure.
  auto line =
      sys::with_context(fmt::format("guest {}", name()), [&] { return state_->console->next_line(deadline, wake_fd); });
  return line;
}

sys::MonotonicNs Guest::wait_exit(sys::MonotonicNs deadline, int wake_fd) {
  State& s = *state_;
  while (s.console && !s.console->closed()) {
    if (!next_line(deadline, wake_fd)) break;
  }
  if (s.reaper) {
    if (!s.reaper->wait_exit(deadline))
      throw sys::Timeout(fmt::format("guest {}: QEMU still runs at the deadline", name()));
    return s.reaper->exited_at();
  }
  while (s.domain && domain_is_active(s.domain.get())) {
    if (sys::monotonic_now() >= deadline)
      throw sys::Timeout(fmt::format("guest {}: still running at the deadline", name()));
    ::usleep(10'000);  // remote: no pidfd to wait on, poll the domain state
  }
  return sys::monotonic_now();
}

std::vector<std::pair<std::string, sys::MonotonicNs>> Guest::phases() const {
  const State& s = *state_;
  std::vector<std::pair<std::string, sys::MonotonicNs>> phases;
  const auto add = [&](const char* name, sys::MonotonicNs at) {
    if (at != 0) phases.emplace_back(name, at);
  };
  add("xml_built", s.xml_built);
  add("qemu_exec", s.qemu_exec);
  add("create_returned", s.create_returned);
  add("first_console_output", s.console ? s.console->first_byte_at().value_or(0) : s.first_console_output);
  for (const auto& [name, at] : s.marked_phases) add(name.c_str(), at);
  add("qemu_exited", s.reaper ? s.reaper->exited_at() : s.qemu_exited);
  add("teardown_done", s.teardown_done);
  std::stable_sort(phases.begin(), phases.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  return phases;
}

void Guest::mark_phase(std::string name, sys::MonotonicNs at) {
  state_->marked_phases.emplace_back(std::move(name), at);
}

GuestStats Guest::stats() { return state_->sample_stats(); }

void Guest::suspend(sys::MonotonicNs deadline) {
  sys::with_context(fmt::format("guest {}: suspend", name()), [&] {
    virDomainPtr domain = state_->domain.get();
    if (domain == nullptr) throw sys::Error("the domain is gone");
    if (virDomainSuspend(domain) < 0) throw libvirt_error("virDomainSuspend");
    wait_for_state(domain, VIR_DOMAIN_PAUSED, deadline, "virDomainSuspend returned");
  });
}

void Guest::resume(sys::MonotonicNs deadline) {
  sys::with_context(fmt::format("guest {}: resume", name()), [&] {
    virDomainPtr domain = state_->domain.get();
    if (domain == nullptr) throw sys::Error("the domain is gone");
    if (virDomainResume(domain) < 0) throw libvirt_error("virDomainResume");
    wait_for_state(domain, VIR_DOMAIN_RUNNING, deadline, "virDomainResume returned");
  });
}

DomainRunState Guest::run_state() const { return domain_run_state(state_->domain.get()); }

std::unique_ptr<TunablesWatch> Guest::watch_tunables() {
  if (!state_->reaper || !state_->domain) return nullptr;
  return std::make_unique<TunablesWatch>(state_->domain.get(), state_->reaper->pid());
}

void Guest::destroy() {
  if (!state_) return;
  sys::with_context(fmt::format("guest {}: destroy", name()), [&] { state_->tear_down(); });
}

}  // namespace benchrun::vm
