#include "harness/cli.hpp"

#include <fcntl.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <span>
#include <sstream>

#include "harness/backends/registry.hpp"
#include "harness/suites/isolation.hpp"
#include "harness/suites/limits_checks.hpp"
#include "harness/suites/limits_observer.hpp"
#include "harness/suites/registry.hpp"
#include "harness/version.hpp"
#include "sys/error.hpp"

namespace benchrun::harness {
namespace {

std::filesystem::path default_images_dir() {
  if (const char* dir = std::getenv("BENCHRUN_IMAGES_DIR"); dir != nullptr && *dir != '\0') return dir;
  return std::filesystem::path(BENCHRUN_SOURCE_DIR) / "images";
}

struct LimitFlags {
  std::string memory;
  std::string cpus;
  std::uint64_t pids = 0;
  std::string cpuset;

  void add_to(CLI::App& app) {
    app.add_option("--memory", memory, "Memory limit of each instance (e.g. 64M, 1G)");
    app.add_option("--cpus", cpus, "CPU quota of each instance in cores (e.g. 0.5)");
    app.add_option("--pids", pids, "Maximum number of processes in each instance")->check(CLI::PositiveNumber);
    app.add_option("--cpuset", cpuset, "CPUs each instance may run on (e.g. 0 or 0-1)");
  }
  [[nodiscard]] reports::Limits to_limits() const {
    reports::Limits limits;
    if (!memory.empty()) limits.memory_bytes = parse_size(memory);
    if (!cpus.empty()) limits.cpus = parse_cpus(cpus);
    if (pids > 0) limits.pids_max = pids;
    if (!cpuset.empty()) limits.cpuset_cpus = cpuset;
    return limits;
  }
};

// The density suite's flags (harness/suites/density.hpp).
struct DensityFlags {
  std::uint64_t count = 0;
  unsigned parallel = 1;
  std::string max_memory;
  double time_budget_s = 0;
  bool raise_limits = false;

  void add_to(CLI::App& app) {
    app.add_option("--count", count, "density: instances to hold at once (default: 500, guests 8)")
        ->check(CLI::PositiveNumber);
    app.add_option("--parallel", parallel, "density: launches (and teardowns) in flight at once")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--max-memory", max_memory, "density: stop once the host's MemAvailable fell by this (e.g. 4G)");
    app.add_option("--time-budget", time_budget_s, "density: seconds after which no instance starts")
        ->check(CLI::PositiveNumber);
    app.add_flag("--raise-limits", raise_limits,
                 "density: raise a kernel limit in the way (pid_max, file-max, RLIMIT_NOFILE, namespaces) for the "
                 "run and restore it afterwards");
  }
  [[nodiscard]] DensityOptions to_options() const {
    DensityOptions options;
    if (count > 0) options.count = count;
    options.parallel = parallel;
    if (!max_memory.empty()) options.max_memory_bytes = parse_size(max_memory);
    if (time_budget_s > 0) options.time_budget = std::chrono::milliseconds(static_cast<long>(time_budget_s * 1000));
    options.raise_limits = raise_limits;
    return options;
  }
};

constexpr const char* accel_help =
    "Accelerator of the guests: auto (KVM only where it boots a stock guest, else TCG), kvm, tcg";

vm::AcceleratorRequest to_accel_request(const std::string& text) {
  try {
    return vm::parse_accelerator_request(text);
  } catch (const sys::Error& error) {
    throw UsageError(fmt::format("--accel: {}", error.what()));
  }
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream stream(text);
  std::vector<std::string> words;
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

void require_known(const std::string& what, const std::string& value, const std::vector<std::string>& known) {
  if (std::find(known.begin(), known.end(), value) == known.end()) {
    throw UsageError(fmt::format("unknown {} '{}': choose one of {}", what, value, fmt::join(known, ", ")));
  }
}

// --cases a,b: only those of the suite's cases, in the suite's order; an unknown name is a usage error.
std::vector<reports::Case> only_cases(std::vector<reports::Case> cases, std::string names) {
  std::replace(names.begin(), names.end(), ',', ' ');
  std::vector<std::string> known;
  for (const auto& each : cases) known.push_back(each.name);
  const std::vector<std::string> wanted = split_words(names);
  if (wanted.empty()) throw UsageError(fmt::format("--cases names no case: choose from {}", fmt::join(known, ", ")));
  for (const auto& name : wanted) require_known("--cases", name, known);
  std::erase_if(cases, [&](const reports::Case& each) {
    return std::find(wanted.begin(), wanted.end(), each.name) == wanted.end();
  });
  return cases;
}

// "<intro>:" then one line per registry entry: its name and its help.
template <class Entry>
std::string choices_help(std::string_view intro, std::span<const Entry> entries) {
  std::string help(intro);
  help += ':';
  for (const Entry& entry : entries) help += fmt::format("\n  {:<10} {}", entry.name, entry.help);
  return help;
}

template <class Entry>
std::vector<std::string> names_of(std::span<const Entry> entries) {
  std::vector<std::string> names;
  for (const Entry& entry : entries) names.emplace_back(entry.name);
  return names;
}

// `benchrun run` drives the container runtime itself: the registry's backends of that kind.
std::vector<std::string> run_command_backends() {
  std::vector<std::string> names;
  for (const auto& entry : backend_registry()) {
    if (entry.kind == reports::BackendKind::container) names.emplace_back(entry.name);
  }
  // One guest booted through the vm plugin (loaded only then): harness/backends/vm_run.cpp.
  names.emplace_back("vm");
  return names;
}

// "both" measures cold before warm: the cold launch primes the warm one.
std::vector<reports::StartMode> parse_start_choice(const std::string& choice) {
  require_known("--start", choice, known_start_choices());
  if (choice == "cold") return {reports::StartMode::cold};
  if (choice == "warm") return {reports::StartMode::warm};
  return {reports::StartMode::cold, reports::StartMode::warm};
}

// "5%" or "5": five percent, as a fraction (0.05).
double parse_percent(const std::string& flag, const std::string& text) {
  std::string number = text;
  if (!number.empty() && number.back() == '%') number.pop_back();
  try {
    std::size_t used = 0;
    const double percent = std::stod(number, &used);
    if (used == number.size() && std::isfinite(percent) && percent >= 0.0) return percent / 100.0;
  } catch (const std::exception&) {
  }
  throw UsageError(fmt::format("{} '{}': give a percentage of 0 or more, e.g. 5%", flag, text));
}

constexpr const char* export_help =
    "Also write the report as KIND:FILE (repeatable): gbench (Google Benchmark JSON), github-action (its "
    "customSmallerIsBetter input), markdown, csv";

std::vector<reports::ExportSpec> parse_exports(const std::vector<std::string>& specs) {
  std::vector<reports::ExportSpec> exports;
  for (const std::string& spec : specs) {
    try {
      exports.push_back(reports::parse_export_spec(spec));
    } catch (const sys::Error& error) {
      throw UsageError(fmt::format("--export: {}", error.what()));
    }
  }
  return exports;
}

// --host-names a,-,c: one name per report, "-" (kept as "") for the report's own hostname.
std::vector<std::string> parse_host_names(const std::string& text, std::size_t reports) {
  if (text.empty()) return {};
  std::vector<std::string> names;
  for (std::size_t start = 0;;) {
    const std::size_t comma = text.find(',', start);
    const std::string name = text.substr(start, comma == std::string::npos ? comma : comma - start);
    if (name.empty()) throw UsageError(fmt::format("--host-names '{}': a name is empty ('-': its own)", text));
    names.push_back(name == "-" ? "" : name);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (names.size() != reports) {
    throw UsageError(
        fmt::format("--host-names '{}' names {} host(s) for {} report(s): give one name per report, "
                    "'-' for its own hostname",
                    text, names.size(), reports));
  }
  return names;
}

// The overhead suite's flags (harness/suites/overhead.hpp).
struct OverheadFlags {
  std::string groups;
  std::vector<std::string> tools;
  bool full = false;
  std::string scratch_dir = OverheadOptions{}.scratch_dir.string();
  std::string disk_size;
  std::string seccomp = "on";

  void add_to(CLI::App& app) {
    app.add_option("--seccomp", seccomp, "overhead: on (containers get the default seccomp filter) or off")
        ->check(CLI::IsMember({"on", "off"}))
        ->capture_default_str();
    app.add_option("--groups", groups,
                   "overhead: comma-separated workload groups (cpu, memory_bandwidth, memory_latency, syscalls, "
                   "context_switch, process_creation, disk, network; default: all)");
    app.add_option("--tool", tools,
                   "overhead: a program of the image run as a case through the same runner, its figure parsed "
                   "(stress-ng --metrics-brief, fio --output-format=json); repeatable");
    app.add_flag("--full", full, "overhead: the usual sizes (STREAM arrays 4x the LLC, ...) instead of quick ones");
    app.add_option("--scratch-dir", scratch_dir,
                   "overhead: folder on the host's disk for the disk group's file (not a tmpfs)")
        ->capture_default_str();
    app.add_option("--disk-size", disk_size, "overhead: size of the disk group's file (default 64M, --full 1G)");
  }
  [[nodiscard]] OverheadOptions to_options() const {
    OverheadOptions options;
    std::string group_words = groups;
    std::replace(group_words.begin(), group_words.end(), ',', ' ');
    options.groups = split_words(group_words);
    options.tools = tools;
    options.full = full;
    options.seccomp = seccomp == "on";
    options.scratch_dir = scratch_dir;
    if (!disk_size.empty()) {
      options.disk_bytes = parse_size(disk_size);
      if (*options.disk_bytes < (1ULL << 20) || *options.disk_bytes % (1ULL << 20) != 0)
        throw UsageError(fmt::format("--disk-size {}: a whole number of MiB, at least 1M", disk_size));
    }
    return options;
  }
};

}  // namespace

const std::vector<std::string>& known_guest_cgroup_layouts() {
  static const std::vector<std::string> layouts{"v2", "v1", "hybrid"};
  return layouts;
}

const std::vector<std::string>& known_start_choices() {
  static const std::vector<std::string> choices{"cold", "warm", "both"};
  return choices;
}

Command parse_command_line(int argc, char** argv) {
  CLI::App app{"benchrun: what containers and VMs really cost, measured side by side with the same workload.",
               "benchrun"};
  app.set_version_flag("--version", std::string("benchrun ") + version);
  app.require_subcommand(0, 1);

  SuiteOptions suite;
  const std::vector<std::string> known_suites = names_of(suite_registry());
  const std::vector<std::string> known_backends = names_of(backend_registry());
  std::string backends = fmt::format("{}", fmt::join(default_backends(), ","));
  std::string workload = "hello";
  std::string start = "both";
  double timeout_s = 30;
  LimitFlags suite_limits;
  std::string images_dir = default_images_dir().string();
  app.add_option("--suite", suite.suite, choices_help("Suite to run", suite_registry()));
  app.add_option("--backends", backends, choices_help("Comma-separated backends", backend_registry()))
      ->capture_default_str();
  app.add_option("--workload", workload, "Workload from the image and its arguments, e.g. 'spin 100'")
      ->capture_default_str();
  CLI::Option* runs_flag =
      app.add_option("--runs", suite.runs, "Measured repetitions per case and backend (density: 1)")
          ->capture_default_str();
  CLI::Option* warmup_flag =
      app.add_option("--warmup", suite.warmup, "Unmeasured warm-up repetitions per case and backend (density: 0)")
          ->capture_default_str();
  CLI::Option* start_flag =
      app.add_option("--start", start,
                     "Start modes to measure: cold (after an idle settle time), warm (right after a launch of the "
                     "same backend) or both (density: cold)")
          ->capture_default_str();
  std::string cases_filter;
  app.add_option("--cases", cases_filter,
                 "Only these of the suite's cases, comma-separated (e.g. --suite limits --cases memory,pids)");
  DensityFlags density;
  density.add_to(app);
  std::vector<std::string> limits_off;
  app.add_option("--limits-off", limits_off,
                 "limits: run this check without its limit, which must flip its verdicts to fail (repeatable)");
  std::vector<std::string> observers;
  app.add_option("--observer", observers,
                 "limits: also run the checks of this independent tool, measuring the same limits inside the same "
                 "instance (stress-ng: needs an image holding /usr/bin/stress-ng, e.g. --image guest)");
  std::string isolation_off;
  app.add_option("--isolation-off", isolation_off,
                 "isolation: protections to remove from container instances, comma-separated (pid-ns, uts-ns, "
                 "ipc-ns, net-ns, user-ns, cgroup-ns, capabilities, seccomp, masked-paths, readonly-sys): their "
                 "checks must then fail");
  app.add_flag("--user-namespace", suite.isolation.user_namespace,
               "isolation: container instances get a user namespace (and promise one)");
  OverheadFlags overhead;
  overhead.add_to(app);
  app.add_option("--timeout", timeout_s, "Seconds an instance may take from launch to exit")->capture_default_str();
  app.add_option("--out", suite.out_dir,
                 "Folder for samples.jsonl, report.json and report.html (default: results/<run-id>)");
  app.add_option("--image", suite.image.name, "Image name under the images folder")->capture_default_str();
  app.add_option("--images-dir", images_dir, "Folder holding the images (env BENCHRUN_IMAGES_DIR)")
      ->capture_default_str();
  app.add_option("--libvirt-uri", suite.libvirt_uri, "libvirt URI for the vm backend (default: embedded QEMU driver)");
  std::string accel = "auto";
  app.add_option("--accel", accel, accel_help)->capture_default_str();
  std::string suite_guest_cgroup;
  app.add_option("--guest-cgroup", suite_guest_cgroup,
                 "cgroup layout the guests mount: v2, v1 or hybrid (default: vm none, vm+container v2)");
  std::string guest_kernel_args;
  app.add_option("--guest-kernel-args", guest_kernel_args,
                 "More kernel parameters for every guest, space-separated (e.g. 'panic=1')");
  app.add_flag("--quiet,-q", suite.quiet, "No progress line and no table; only errors and the report path");
  suite_limits.add_to(app);
  std::vector<std::string> suite_exports;
  app.add_option("--export", suite_exports, export_help);
  app.add_option("--baseline", suite.baseline,
                 "A report.json of the same suite to compare the run with (as benchrun compare, default threshold "
                 "and alpha), checked before anything is measured; writes comparison.json and comparison.html "
                 "beside report.json. Exit 1 when a metric regressed or a sample failed, 2 when the comparison "
                 "cannot be made, 130 when interrupted (then nothing is compared)");

  RunCommandOptions run;
  const std::vector<std::string> run_backends = run_command_backends();
  run.backend = run_backends.front();
  std::vector<std::string> command;
  LimitFlags run_limits;
  std::string run_images_dir = images_dir;
  bool no_netns = false;
  bool no_seccomp = false;
  CLI::App* run_app = app.add_subcommand(
      "run", fmt::format("Run one command in one instance, e.g. run --backend {} -- hello", run_backends.front()));
  run_app->add_option("--backend", run.backend, fmt::format("Backend: {}", fmt::join(run_backends, ", ")))
      ->capture_default_str();
  run_app->add_option("--image", run.image.name, "Image name")->capture_default_str();
  run_app->add_option("--images-dir", run_images_dir, "Folder holding the images")->capture_default_str();
  run_app->add_option("--hostname", run.instance.hostname, "Hostname inside the container (default: its name)");
  run_app->add_flag("--no-network-namespace", no_netns, "Share the host's network namespace");
  run_app->add_flag("--user-namespace", run.instance.user_namespace, "Run in a new user namespace too");
  run_app->add_flag("--no-seccomp", no_seccomp, "Do not install the default seccomp filter");
  run_app->add_flag("--verbose,-v", run.verbose, "Show benchinit's BENCHRUN READY/RESULT lines on stderr");
  int phases_fd = -1;
  run_app->add_option("--phases-fd", phases_fd,
                      "Write the container's phases (ms since its start) as one BENCHRUN PHASES line to this open "
                      "file descriptor once it is gone");
  run_limits.add_to(*run_app);
  std::string guest_cgroup;
  std::string run_results;
  unsigned run_timeout_s = 0;
  run_app->add_option("--guest-cgroup", guest_cgroup,
                      "With --backend vm: how the guest mounts cgroups (v2, v1 or hybrid; default: none mounted)");
  run_app->add_option("--results", run_results,
                      "With --backend vm: host folder that receives what the command wrote under /results");
  run_app
      ->add_option("--timeout", run_timeout_s,
                   "With --backend vm: seconds the guest may run before it is destroyed (default: no limit)")
      ->check(CLI::PositiveNumber);
  run_app->add_option("command", command, "The command and its arguments (after --)")->required();

  std::string doctor_uri;
  CLI::App* doctor_app =
      app.add_subcommand("doctor", "Tell what this host can measure, and how to fix what is missing");
  doctor_app->add_option("--libvirt-uri", doctor_uri, "libvirt URI to check (default: embedded QEMU driver)");
  std::string doctor_accel = "auto";
  doctor_app->add_option("--accel", doctor_accel, accel_help)->capture_default_str();
  std::string cleanup_uri;
  CLI::App* cleanup_app =
      app.add_subcommand("cleanup", "Remove what killed runs left: cgroups, mounts, processes, guests");
  cleanup_app->add_option("--libvirt-uri", cleanup_uri, "libvirt URI whose benchrun guests to remove");
  ReportCommand report;
  CLI::App* report_app = app.add_subcommand("report", "Print the summary table of a report.json again");
  report_app->add_option("file", report.file, "The report.json of a run (benchrun.report/1 or /2)")->required();
  std::vector<std::string> report_exports;
  report_app->add_option("--export", report_exports, export_help);
  report_app->add_option("--html", report.html, "Also write the report as one self-contained HTML page to this file");

  CompareCommand compare;
  std::string threshold = "5%";
  CLI::App* compare_app = app.add_subcommand(
      "compare", "Compare a report.json against a baseline: exit 1 when a metric regressed, 0 when none did");
  compare_app->add_option("baseline", compare.baseline, "The baseline report.json")->required();
  compare_app->add_option("current", compare.current, "The report.json to judge against it")->required();
  compare_app->add_option("--threshold", threshold, "Smallest change of a median that counts, e.g. 5%")
      ->capture_default_str();
  compare_app->add_option("--alpha", compare.alpha, "Largest Mann-Whitney p-value that counts as a real change")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  compare_app->add_option("--json", compare.outputs.json, "Also write the comparison as JSON (benchrun.comparison/1)");
  compare_app->add_option("--markdown", compare.outputs.markdown,
                          "Also write it as a Markdown table, regressions first (e.g. for a CI comment)");
  compare_app->add_option("--html", compare.outputs.html, "Also write it as one self-contained HTML page");

  TrendCommand trend;
  std::string trend_suite;
  CLI::App* trend_app = app.add_subcommand(
      "trend", "Write the trend page of a nightly history folder: each metric over the last runs, regressions marked");
  trend_app->add_option("history", trend.history, "The history folder scripts/nightly.sh fills")->required();
  trend_app->add_option("--html", trend.html, "The page to write (replaced atomically)")->required();
  trend_app->add_option("--suite", trend_suite, "Only the runs of this suite (default: every suite)");
  trend_app->add_option("--last", trend.last, "Runs per suite on the page")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();

  BaselineCommand baseline;
  std::string baseline_suite;
  std::string baseline_pin;
  CLI::App* baseline_app = app.add_subcommand(
      "baseline", "Print the run of a nightly history folder the next run of a suite is compared with, or pin one");
  baseline_app->add_option("history", baseline.history, "The history folder scripts/nightly.sh fills")->required();
  CLI::Option* baseline_suite_option =
      baseline_app->add_option("--suite", baseline_suite, "Print the id of this suite's baseline run (none: no line)");
  baseline_app->add_option("--pin", baseline_pin, "Pin this run (a folder name) as its suite's baseline")
      ->excludes(baseline_suite_option);

  MergeCommand merge;
  std::string host_names;
  CLI::App* merge_app = app.add_subcommand(
      "merge", "Merge reports of one suite from many hosts into one, its backends named <host>/<backend>");
  merge_app->add_option("files", merge.files, "The report.json of each host")->required();
  merge_app->add_option("--out", merge.out_dir, "Folder for the merged report.json and report.html")->required();
  merge_app->add_option("--host-names", host_names,
                        "Comma-separated host name of each report, in order ('-': its own hostname); needed when two "
                        "reports come from one host");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return ExitNow{app.exit(help)};
  } catch (const CLI::CallForAllHelp& help) {
    return ExitNow{app.exit(help)};
  } catch (const CLI::CallForVersion& version_request) {
    return ExitNow{app.exit(version_request)};
  } catch (const CLI::ParseError& error) {
    throw UsageError(fmt::format("{} (see benchrun --help)", error.what()));
  }

  try {
    if (run_app->parsed()) {
      run.instance.workload = command.front();
      run.instance.workload_args.assign(command.begin() + 1, command.end());
      run.instance.limits = run_limits.to_limits();
      run.instance.network_namespace = !no_netns;
      run.instance.seccomp = !no_seccomp;
      run.image.images_dir = run_images_dir;
      if (phases_fd >= 0) {
        if (::fcntl(phases_fd, F_GETFD) < 0) {
          throw UsageError(fmt::format("--phases-fd {}: not an open file descriptor", phases_fd));
        }
        run.phases_fd = phases_fd;
      }
      if (std::find(run_backends.begin(), run_backends.end(), run.backend) == run_backends.end()) {
        throw UsageError(fmt::format("backend '{}' is not available for 'run': use {}", run.backend,
                                     fmt::join(run_backends, " or ")));
      }
      if (run.backend == "vm") {
        if (!guest_cgroup.empty()) {
          run.guest_cgroup = vm::parse_cgroup_layout(guest_cgroup);
          if (!run.guest_cgroup) {
            throw UsageError(fmt::format("--guest-cgroup {}: use v2, v1 or hybrid", guest_cgroup));
          }
        }
        if (!run_results.empty()) run.results_dir = run_results;
        if (run_timeout_s > 0) run.timeout = std::chrono::seconds(run_timeout_s);
        // What only a container has: refused rather than silently ignored by a guest.
        const std::pair<bool, const char*> container_only[] = {
            {!run.instance.hostname.empty(), "--hostname"},
            {no_netns, "--no-network-namespace"},
            {run.instance.user_namespace, "--user-namespace"},
            {no_seccomp, "--no-seccomp"},
            {run.instance.limits.pids_max.has_value(), "--pids"},
            {run.instance.limits.cpuset_cpus.has_value(), "--cpuset"},
            {phases_fd >= 0, "--phases-fd"}};
        for (const auto& [given, flag] : container_only) {
          if (given) throw UsageError(fmt::format("{} is for container backends: drop it with --backend vm", flag));
        }
      } else {
        const std::pair<bool, const char*> vm_only[] = {{!guest_cgroup.empty(), "--guest-cgroup"},
                                                        {!run_results.empty(), "--results"},
                                                        {run_timeout_s > 0, "--timeout"}};
        for (const auto& [given, flag] : vm_only) {
          if (given) throw UsageError(fmt::format("{} needs --backend vm", flag));
        }
      }
      return run;
    }
    if (doctor_app->parsed()) {
      return DoctorCommand{doctor_uri, ImageChoice{images_dir, suite.image.name}, to_accel_request(doctor_accel)};
    }
    if (cleanup_app->parsed()) return CleanupCommand{cleanup_uri};
    if (report_app->parsed()) {
      report.exports = parse_exports(report_exports);
      return report;
    }
    if (report_app->parsed()) return report;
    if (trend_app->parsed()) {
      if (!trend_suite.empty()) trend.suite = trend_suite;
      return trend;
    }
    if (baseline_app->parsed()) {
      if (baseline_suite.empty() == baseline_pin.empty()) {
        throw UsageError("benchrun baseline: give --suite SUITE (which run is the baseline) or --pin RUN (pin one)");
      }
      if (!baseline_suite.empty()) {
        require_known("suite", baseline_suite, known_suites);
        baseline.suite = baseline_suite;
      }
      if (!baseline_pin.empty()) baseline.pin = baseline_pin;
      return baseline;
    }
    if (merge_app->parsed()) {
      merge.host_names = parse_host_names(host_names, merge.files.size());
      return merge;
    }
    if (compare_app->parsed()) {
      compare.threshold = parse_percent("--threshold", threshold);
      return compare;
    }

    if (suite.suite.empty()) {
      throw UsageError(
          fmt::format("no suite given: try benchrun --suite {} (see benchrun --help)", known_suites.front()));
    }
    require_known("suite", suite.suite, known_suites);
    suite.backends.clear();
    std::string backend_words = backends;
    std::replace(backend_words.begin(), backend_words.end(), ',', ' ');
    for (auto& name : split_words(backend_words)) {
      require_known("backend", name, known_backends);
      if (std::find(suite.backends.begin(), suite.backends.end(), name) == suite.backends.end())
        suite.backends.push_back(name);
    }
    if (suite.backends.empty()) {
      throw UsageError(fmt::format("no backend given: e.g. --backends {}", fmt::join(known_backends, ",")));
    }
    const SuiteEntry& entry = *find_suite(suite.suite);
    if (runs_flag->count() == 0) suite.runs = entry.default_runs;
    if (warmup_flag->count() == 0) suite.warmup = entry.default_warmup;
    if (start_flag->count() == 0) start = entry.default_start;
    suite.density = density.to_options();
    for (const auto& check : limits_off) require_known("--limits-off", check, limit_check_names());
    suite.limits_off = limits_off;
    try {
      suite.isolation.off = parse_isolation_off(isolation_off);
    } catch (const sys::Error& error) {
      throw UsageError(error.what());
    }
    suite.overhead = overhead.to_options();
    if (suite.runs < 1) throw UsageError(fmt::format("--runs {}: needs at least 1 measured run", suite.runs));
    if (suite.warmup < 0) throw UsageError(fmt::format("--warmup {}: cannot be negative", suite.warmup));
    suite.start_modes = parse_start_choice(start);
    if (!(timeout_s > 0))
      throw UsageError(fmt::format("--timeout {}: must be a positive number of seconds", timeout_s));
    suite.timeout = std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
    for (const auto& observer : observers) require_known("--observer", observer, {"stress-ng"});
    if (!observers.empty() && suite.suite != "limits")
      throw UsageError(fmt::format("--observer is for --suite limits, not {}", suite.suite));
    if (!observers.empty() && !std::filesystem::exists(ImageChoice{images_dir, suite.image.name}.rootfs() /
                                                       std::filesystem::path(stress_ng_path).relative_path())) {
      throw UsageError(
          fmt::format("--observer stress-ng: image {} has no {}: add --image guest (the build's target "
                      "benchrun_guest_image makes it)",
                      suite.image.name, stress_ng_path));
    }
    CaseFlags case_flags{split_words(workload), suite_limits.to_limits(), suite.overhead};
    case_flags.observers = observers;
    suite.cases = entry.cases(case_flags);
    if (!cases_filter.empty()) suite.cases = only_cases(std::move(suite.cases), cases_filter);
    suite.accel = to_accel_request(accel);
    if (!suite_guest_cgroup.empty()) {
      require_known("--guest-cgroup", suite_guest_cgroup, known_guest_cgroup_layouts());
      suite.guest_cgroup = vm::parse_cgroup_layout(suite_guest_cgroup);
    }
    suite.guest_kernel_args = split_words(guest_kernel_args);
    suite.image.images_dir = images_dir;
    suite.exports = parse_exports(suite_exports);
    suite.command_line.assign(argv, argv + argc);
    return suite;
  } catch (const UsageError&) {
    throw;
  } catch (const sys::Error& error) {
    throw UsageError(error.what());
  }
}

}  // namespace benchrun::harness
