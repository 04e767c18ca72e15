// Startup of a guest through libvirt (vm::Guest) against plain qemu-system-x86_64 started with the same
// machine, CPU model, memory, kernel, initramfs and command line: interleaved (libvirt, plain, libvirt,
// ...), N runs each, medians of every phase and the ratio of the times to READY.
//
//   vm_startup_compare [--runs N] [--image DIR] [--uri URI] [--state-dir DIR] [--memory MiB] [--vcpus N]
//
// Phases are measured from the moment each path is asked to start (libvirt: before the XML is built;
// plain: before posix_spawn).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "protocol/workload_protocol.hpp"
#include "sys/clock.hpp"
#include "sys/line_reader.hpp"
#include "vm/boot_files.hpp"
#include "vm/connection.hpp"
#include "vm/guest.hpp"
#include "vm/qemu_process.hpp"
#include "vm/sweep.hpp"

extern char** environ;

namespace {

namespace sys = benchrun::sys;
using benchrun::sys::monotonic_now;
using benchrun::sys::MonotonicNs;
namespace vm = benchrun::vm;

constexpr sys::MonotonicNs seconds = 1'000'000'000;

struct Options {
  int runs = 10;
  std::string image = std::string(BENCHRUN_SOURCE_DIR) + "/images/default";
  std::string state_dir = vm::default_state_dir;
  std::string uri;
  unsigned memory_mib = 256;
  unsigned vcpus = 1;
  bool verbose = false;  // print every console line with its time
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw benchrun::sys::Error(fmt::format("{} needs a value", arg));
      return argv[++i];
    };
    if (arg == "--runs")
      options.runs = std::stoi(value());
    else if (arg == "--image")
      options.image = value();
    else if (arg == "--state-dir")
      options.state_dir = value();
    else if (arg == "--uri")
      options.uri = value();
    else if (arg == "--memory")
      options.memory_mib = static_cast<unsigned>(std::stoul(value()));
    else if (arg == "--verbose")
      options.verbose = true;
    else if (arg == "--vcpus")
      options.vcpus = static_cast<unsigned>(std::stoul(value()));
    else
      throw benchrun::sys::Error(fmt::format("unknown option {}", arg));
  }
  if (options.uri.empty()) options.uri = vm::default_embed_uri(options.state_dir);
  return options;
}

using Phases = std::map<std::string, double>;  // phase -> ms since the start request

bool is_ready_line(std::string_view text) { return text == benchrun::protocol::ready_line; }
bool is_result_line(std::string_view text) { return text.starts_with(benchrun::protocol::result_prefix); }

Phases run_libvirt(vm::Connection& connection, const vm::GuestConfig& config, bool verbose) {
  const sys::MonotonicNs start = sys::monotonic_now();
  vm::Guest guest = vm::Guest::start(connection, config);
  const sys::MonotonicNs deadline = start + 60 * seconds;
  while (auto line = guest.next_line(deadline)) {
    if (verbose)
      fmt::print(stderr, "  libvirt {:8.1f} ms | {}\n", static_cast<double>(line->at - start) / 1e6, line->text);
    // Stamped as the harness's vm adapter does.
    if (is_ready_line(line->text)) guest.mark_phase("ready", line->at);
    if (is_result_line(line->text)) {
      guest.mark_phase("result", line->at);
      break;
    }
  }
  guest.wait_exit(deadline);
  guest.destroy();
  Phases phases;
  for (const auto& [name, at] : guest.phases()) phases[name] = static_cast<double>(at - start) / 1e6;
  return phases;
}

Phases run_plain(const vm::GuestConfig& config, const std::string& domain_type, bool verbose) {
  const std::string cmdline = vm::kernel_cmdline(config.workload_argv, config.extra_cmdline);
  // What libvirt 9.0 passes for our domain XML (see <root>/log/qemu/<name>.log), minus the monitor and -S.
  // clang-format off: flag and value pairs read best on shared lines
  std::vector<std::string> args = {"qemu-system-x86_64",
                                   "-machine",
                                   "pc-q35-7.2,usb=off,dump-guest-core=off",
                                   "-accel",
                                   domain_type == "kvm" ? "kvm" : "tcg",
                                   "-cpu",
                                   domain_type == "kvm" ? "host" : "qemu64",
                                   "-m",
                                   std::to_string(config.memory_mib),
                                   "-overcommit",
                                   "mem-lock=off",
                                   "-smp",
                                   std::to_string(config.vcpus),
                                   "-display",
                                   "none",
                                   "-no-user-config",
                                   "-nodefaults",
                                   "-rtc",
                                   "base=utc",
                                   "-boot",
                                   "strict=on",
                                   "-kernel",
                                   config.kernel.string(),
                                   "-initrd",
                                   config.initramfs.string(),
                                   "-append",
                                   cmdline,
                                   "-serial",
                                   "stdio",
                                   "-sandbox",
                                   "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"};
  // clang-format on
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  const sys::MonotonicNs start = sys::monotonic_now();
  benchrun::sys::Pipe out = benchrun::sys::make_pipe();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out.write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  const int spawn_error = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0) throw benchrun::sys::SystemError(spawn_error, "posix_spawn qemu-system-x86_64");
  const sys::MonotonicNs spawned = sys::monotonic_now();
  out.write_end.reset();
  sys::LineReader console(std::move(out.read_end));
  Phases phases;
  phases["spawned"] = static_cast<double>(spawned - start) / 1e6;
  const sys::MonotonicNs deadline = start + 60 * seconds;
  while (auto line = console.next_line(deadline)) {
    if (verbose)
      fmt::print(stderr, "  plain   {:8.1f} ms | {}\n", static_cast<double>(line->at - start) / 1e6, line->text);
    if (is_ready_line(line->text)) phases["ready"] = static_cast<double>(line->at - start) / 1e6;
    if (is_result_line(line->text)) phases["result"] = static_cast<double>(line->at - start) / 1e6;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  phases["qemu_exited"] = static_cast<double>(sys::monotonic_now() - start) / 1e6;
  if (console.first_byte_at())
    phases["first_console_output"] = static_cast<double>(*console.first_byte_at() - start) / 1e6;
  return phases;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto middle = values.size() / 2;
  return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

void print_medians(const char* title, const std::vector<Phases>& runs) {
  std::map<std::string, std::vector<double>> by_phase;
  for (const auto& run : runs) {
    for (const auto& [name, ms] : run) by_phase[name].push_back(ms);
  }
  std::vector<std::pair<double, std::string>> ordered;
  for (const auto& [name, values] : by_phase) ordered.emplace_back(median(values), name);
  std::sort(ordered.begin(), ordered.end());
  fmt::print("{} (medians of {} runs, ms since start request)\n", title, runs.size());
  for (const auto& [ms, name] : ordered) fmt::print("  {:<22} {:9.1f}\n", name, ms);
}

}  // namespace

int main(int argc, char** argv) try {
  const Options options = parse(argc, argv);
  vm::become_child_subreaper();
  const sys::MonotonicNs open_start = sys::monotonic_now();
  vm::Connection connection = vm::Connection::open(options.uri);
  const double open_ms = static_cast<double>(sys::monotonic_now() - open_start) / 1e6;
  vm::sweep_leftovers(connection, "benchrun-bench-", options.state_dir);
  const std::string run_dir = fmt::format("{}/runs/bench-{}", options.state_dir, ::getpid());
  const vm::BootFiles boot = vm::stage_boot_files(vm::image_boot_files(options.image), run_dir);

  vm::GuestConfig config;
  config.kernel = boot.kernel;
  config.initramfs = boot.initramfs;
  config.vcpus = options.vcpus;
  config.memory_mib = options.memory_mib;
  config.workload_argv = {"/bench/bin/hello"};
  config.state_dir = run_dir;

  fmt::print("connection {} opened in {:.1f} ms, domain type {}, libvirt {}, QEMU {}\n", options.uri, open_ms,
             connection.domain_type(), connection.libvirt_version(), connection.hypervisor_version());
  std::vector<Phases> libvirt_runs;
  std::vector<Phases> plain_runs;
  // One unmeasured warm-up of each: page cache, QEMU's module loading, libvirt's first-create work.
  for (int i = -1; i < options.runs; ++i) {
    config.name = fmt::format("benchrun-bench-{}-{}", ::getpid(), i + 1);
    auto libvirt = run_libvirt(connection, config, options.verbose);
    auto plain = run_plain(config, connection.domain_type(), options.verbose);
    if (i < 0) continue;
    libvirt_runs.push_back(std::move(libvirt));
    plain_runs.push_back(std::move(plain));
    fmt::print(stderr, "run {}: libvirt ready {:.0f} ms, plain ready {:.0f} ms\n", i + 1, libvirt_runs.back()["ready"],
               plain_runs.back()["ready"]);
  }
  print_medians("libvirt", libvirt_runs);
  print_medians("plain qemu", plain_runs);
  std::vector<double> libvirt_ready;
  std::vector<double> plain_ready;
  for (auto& run : libvirt_runs) libvirt_ready.push_back(run["ready"]);
  for (auto& run : plain_runs) plain_ready.push_back(run["ready"]);
  fmt::print("time to READY: libvirt {:.1f} ms, plain {:.1f} ms, ratio {:.3f} ({})\n", median(libvirt_ready),
             median(plain_ready), median(libvirt_ready) / median(plain_ready),
             connection.domain_type() == "kvm" ? "KVM" : "TCG");
  std::filesystem::remove_all(run_dir);
  return 0;
} catch (const std::exception& error) {
  fmt::print(stderr, "vm_startup_compare: {}\n", error.what());
  return 1;
}
