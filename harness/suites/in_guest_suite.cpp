#include "harness/suites/in_guest_suite.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdlib.h>  // NOLINT(modernize-deprecated-headers): mkdtemp is POSIX, not in <cstdlib>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "harness/backends/container.hpp"
#include "harness/backends/vm_container.hpp"
#include "harness/suites/isolation.hpp"
#include "harness/suites/isolation_checks.hpp"
#include "harness/suites/limits_checks.hpp"
#include "harness/suites/limits_swap.hpp"
#include "harness/suites/limits_vm_io.hpp"
#include "harness/workload_protocol.hpp"
#include "reports/report_file.hpp"
#include "sys/error.hpp"
#include "vm/guest_scratch.hpp"
#include "vm/swap_size.hpp"

namespace benchrun::harness {
namespace {

namespace fs = std::filesystem;

// Where the inner run writes its report inside the guest: benchinit sends this folder to the host.
constexpr const char* guest_results_dir = "/results";

// A host folder the guest's /results is unpacked into for one step, removed with everything in it.
class StepResultsDir {
 public:
  StepResultsDir() {
    std::string pattern = (fs::temp_directory_path() / "benchrun-in-guest-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) sys::throw_errno("make a folder for the guest's results");
    path_ = pattern;
  }
  ~StepResultsDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  StepResultsDir(const StepResultsDir&) = delete;
  StepResultsDir& operator=(const StepResultsDir&) = delete;
  [[nodiscard]] const fs::path& path() const noexcept { return path_; }

 private:
  fs::path path_;
};

// What one guest run of the inner suite gave: the adopted run, or why there is none.
struct GuestRun {
  AdoptedRun adopted;
  reports::Sample failed_sample;  // filled when adopted.missing is not empty
};

std::string seconds_of(std::chrono::milliseconds timeout) {
  const double seconds = std::ceil(static_cast<double>(timeout.count()) / 1000.0);
  return fmt::format("{:.0f}", std::max(seconds, 1.0));
}

// Boots the guest running the inner suite on one case, reads its console to the end (for the diagnostics of a
// failure), and adopts the report it sent back. Throws Interrupted only, after tearing the guest down.
GuestRun run_in_guest(Backend& backend, const StepInput& input, std::string_view suite,
                      const std::vector<std::string>& flags, std::string_view judged_what,
                      std::optional<std::uint64_t> guest_swap = std::nullopt,
                      const GuestScratchDisk* scratch = nullptr) {
  GuestRun run;
  reports::Sample& sample = run.failed_sample;
  sample.backend = backend.name();
  sample.started_at_monotonic_ns = sys::monotonic_now();
  const StepResultsDir results;
  InstanceSpec spec = instance_spec(input.test_case, input.next_instance_name());
  spec.limits = in_guest_limits(input.test_case.limits);
  spec.nested_benchrun_args = in_guest_suite_args(suite, input.test_case.name, input.timeout, flags);
  spec.results_dir = results.path();
  spec.guest_swap_bytes = guest_swap;
  if (scratch != nullptr) {
    // The first virtio disk: benchinit mounts it at vm::guest_scratch_folder (vm/guest_scratch.hpp).
    spec.disk_files.insert(spec.disk_files.begin(), scratch->file().string());
    spec.guest_kernel_parameters.push_back(fmt::format("{}={}", vm::guest_scratch_parameter, vm::guest_scratch_device));
  }
  const sys::MonotonicNs deadline = sys::monotonic_now() + std::chrono::nanoseconds(input.timeout).count();
  std::unique_ptr<Instance> instance;
  std::string why;
  try {
    instance = backend.launch(spec, deadline);
    while (instance->next_line(deadline)) {
    }
    instance->wait_exit(deadline);
    const std::string diagnostics = instance->diagnostics();
    instance->destroy();
    const fs::path report_file = results.path() / "report.json";
    std::error_code ignored;
    if (!fs::is_regular_file(report_file, ignored)) {
      why = fmt::format("the guest sent back no report.json from its benchrun{}", with_diagnostics(diagnostics));
    } else {
      const reports::Report inner = reports::read_report_file(report_file);
      const std::string judged_where =
          fmt::format("{} inside the {} guest (cgroup {}, kernel {})", judged_what, backend.name(),
                      inner.environment.cgroup_version, inner.environment.kernel);
      run.adopted = adopt_inner_report(inner, backend.name(), input.test_case.name, judged_where);
      for (auto& adopted : run.adopted.samples) adopted.started_at_monotonic_ns = sample.started_at_monotonic_ns;
      if (!run.adopted.missing.empty()) why = run.adopted.missing + with_diagnostics(diagnostics);
    }
  } catch (const sys::Interrupted&) {
    if (instance) instance->destroy();
    throw;
  } catch (const sys::Error& error) {
    why = error.what();
    const bool timed_out = dynamic_cast<const sys::Timeout*>(&error) != nullptr;
    if (instance) {
      why += with_diagnostics(instance->diagnostics());
      try {
        instance->destroy();
      } catch (const sys::Error& teardown) {
        why += fmt::format("; teardown: {}", teardown.what());
      }
    }
    sample.failure = reports::Failure{timed_out ? reports::FailureKind::timeout : reports::FailureKind::error, ""};
  }
  if (!why.empty()) {
    run.adopted.missing = why;
    if (!sample.failure) sample.failure = reports::Failure{reports::FailureKind::error, ""};
    sample.failure->message = why;
    sample.ok = false;
  }
  return run;
}

}  // namespace

bool judged_in_guest(const Backend& backend) { return backend.name() == "vm+container"; }

std::vector<std::string> in_guest_suite_args(std::string_view suite, std::string_view case_name,
                                             std::chrono::milliseconds timeout, const std::vector<std::string>& flags) {
  // One measured cold run, no warm-up: the limits and isolation suites' own defaults, said explicitly so the
  // inner run is the outer step whatever those defaults become.
  std::vector<std::string> args{"--suite",
                                std::string(suite),
                                "--backends",
                                "container",
                                "--cases",
                                std::string(case_name),
                                "--images-dir",
                                std::string(nested_images_dir),
                                "--image",
                                std::string(nested_image_name),
                                "--out",
                                guest_results_dir,
                                "-q",
                                "--timeout",
                                seconds_of(timeout),
                                "--runs",
                                "1",
                                "--warmup",
                                "0",
                                "--start",
                                "cold"};
  args.insert(args.end(), flags.begin(), flags.end());
  return args;
}

reports::Limits in_guest_limits(const reports::Limits& case_limits) {
  reports::Limits limits = case_limits;
  if (limits.cpuset_cpus) limits.cpuset_cpus = "1";
  return limits;
}

AdoptedRun adopt_inner_report(const reports::Report& inner, std::string_view backend, std::string_view case_name,
                              std::string_view judged_where) {
  AdoptedRun adopted;
  for (const auto& verdict : inner.verdicts) {
    if (verdict.case_name != case_name) continue;
    reports::Verdict relabelled = verdict;
    relabelled.backend = backend;
    relabelled.why += fmt::format(" [{}]", judged_where);
    adopted.verdicts.push_back(std::move(relabelled));
  }
  for (const auto& sample : inner.samples) {
    if (sample.case_name != case_name) continue;
    reports::Sample relabelled = sample;
    relabelled.backend = backend;
    adopted.samples.push_back(std::move(relabelled));
  }
  // The inner run's notes (a check run without its limit, protections removed, leftovers swept) and its errors
  // but the failed verdicts' own lines: the outer run says those of the adopted verdicts.
  std::set<std::string> verdict_lines;
  for (const auto& verdict : inner.verdicts) {
    if (!verdict.pass) verdict_lines.insert(fmt::format("{}: {}: {}", verdict.backend, verdict.check, verdict.why));
  }
  for (const auto& warning : inner.warnings) adopted.notes.push_back(fmt::format("{} guest: {}", backend, warning));
  for (const auto& error : inner.errors) {
    if (!verdict_lines.contains(error)) adopted.notes.push_back(fmt::format("{} guest: {}", backend, error));
  }
  if (adopted.verdicts.empty()) {
    adopted.missing = fmt::format(
        "the guest's benchrun judged nothing for case {} (its report holds {} verdicts{}{})", case_name,
        inner.verdicts.size(), inner.complete ? "" : ", and is incomplete",
        inner.errors.empty() ? std::string() : fmt::format("; its errors: {}", fmt::join(inner.errors, "; ")));
  }
  return adopted;
}

bool needs_guest_scratch(std::string_view check) {
  // The checks that prepare something on the host's disk (limits_io.hpp: a loop device with an ext4, a folder for
  // page cache); the CPU count does not change which checks those are.
  const std::vector<LimitCheck> checks = limit_checks(1);
  const LimitCheck* found = find_limit_check(checks, check);
  return found != nullptr && found->prepare != nullptr;
}

StepResult limits_in_guest(Backend& backend, const StepInput& input, const std::vector<std::string>& limits_off,
                           const std::filesystem::path& scratch_root) {
  StepResult result;
  const std::string& check = input.test_case.name;
  std::vector<std::string> flags;
  // The inner run notes it ("vm+container guest: container: CHECK ran without its limit (--limits-off)").
  if (std::find(limits_off.begin(), limits_off.end(), check) != limits_off.end()) flags = {"--limits-off", check};
  // The guest's root is a tmpfs, which the checks with a prepare refuse: they get an ext4 disk made on the host's
  // disk under the outer --scratch-dir, mounted by benchinit, as the inner run's --scratch-dir. Removed once the
  // guest is torn down.
  std::unique_ptr<GuestScratchDisk> scratch;
  if (needs_guest_scratch(check)) {
    try {
      scratch = std::make_unique<GuestScratchDisk>(scratch_root, fmt::format("{}-scratch", input.test_case.name),
                                                   GuestScratchDisk::Content::ext4);
    } catch (const sys::Interrupted&) {
      throw;
    } catch (const sys::Error& error) {
      reports::Verdict verdict;
      verdict.check = fmt::format("{}.host_view", check);
      verdict.backend = backend.name();
      verdict.pass = false;
      verdict.why = fmt::format("not judged inside the guest: its scratch disk: {}", error.what());
      result.verdicts.push_back(std::move(verdict));
      return result;
    }
    flags.insert(flags.end(), {"--scratch-dir", std::string(vm::guest_scratch_folder)});
    result.notes.push_back(fmt::format("{}: {}: the guest got a {} MiB ext4 scratch disk ({}={}, mounted at {})",
                                       backend.name(), check, guest_scratch_disk_bytes >> 20,
                                       vm::guest_scratch_parameter, vm::guest_scratch_device,
                                       vm::guest_scratch_folder));
  }
  // A memory+swap limit needs swap: the guest gets a zram swap device (the host never has swap turned on).
  const std::optional<std::uint64_t> guest_swap = guest_swap_for(input.test_case.limits);
  if (guest_swap) {
    result.notes.push_back(fmt::format(
        "{}: {}: the guest got {} MiB of swap (zram, {}={}) for the case's memory+swap limit", backend.name(), check,
        *guest_swap >> 20, vm::guest_swap_parameter, vm::swap_size_text(*guest_swap)));
  }
  GuestRun run = run_in_guest(backend, input, "limits", flags, "judged by the guest's benchrun on its container",
                              guest_swap, scratch.get());
  result.notes.insert(result.notes.end(), run.adopted.notes.begin(), run.adopted.notes.end());
  if (!run.adopted.missing.empty()) {
    reports::Verdict verdict;
    verdict.check = fmt::format("{}.host_view", check);
    verdict.backend = backend.name();
    verdict.pass = false;
    verdict.why = fmt::format("not judged inside the guest: {}", run.adopted.missing);
    result.verdicts.push_back(std::move(verdict));
    result.samples.push_back(std::move(run.failed_sample));
    return result;
  }
  result.verdicts = std::move(run.adopted.verdicts);
  result.samples = std::move(run.adopted.samples);
  return result;
}

StepResult isolation_in_guest(Backend& backend, const StepInput& input, const IsolationOptions& options,
                              const std::filesystem::path& rootfs) {
  StepResult result;
  std::vector<std::string> flags;
  // The inner run notes it ("vm+container guest: container: --isolation-off ...: protections removed ...").
  if (!options.off.empty()) flags = {"--isolation-off", fmt::format("{}", fmt::join(options.off, ","))};
  if (options.user_namespace) flags.emplace_back("--user-namespace");
  GuestRun run = run_in_guest(backend, input, "isolation", flags,
                              "the guest's benchrun probed its container against the guest (the container's host; "
                              "the guest has its own kernel)");
  result.notes.insert(result.notes.end(), run.adopted.notes.begin(), run.adopted.notes.end());
  if (!run.adopted.missing.empty()) {
    InstanceSpec promised = instance_spec(input.test_case, "promise");
    promised.user_namespace = options.user_namespace;
    result.verdicts =
        isolation_not_measured(container_confinement(container_config(rootfs, promised, {})), run.adopted.missing);
    for (auto& verdict : result.verdicts) verdict.backend = backend.name();
    result.samples.push_back(std::move(run.failed_sample));
    return result;
  }
  result.verdicts = std::move(run.adopted.verdicts);
  result.samples = std::move(run.adopted.samples);
  return result;
}

}  // namespace benchrun::harness
