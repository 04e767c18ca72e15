// The limits and isolation suites on vm+container: the host cannot read the cgroup of a container inside a
// guest, nor compare what a probe there sees with the guest it runs in, but the guest's own benchrun can, as it
// does on a host. So a vm+container step boots one guest whose benchrun runs the same suite on the container
// backend for the step's case alone (`benchrun --suite S --backends container --cases C --out /results ...`,
// with --limits-off / --isolation-off passed on), and the host adopts that run's verdicts and samples from the
// report.json the guest sends back over the results channel (vm/guest_results.hpp), labelled vm+container,
// each verdict saying the guest's cgroup layout and kernel. A guest that gives no report, or no verdict for
// the case, gives failing verdicts carrying why and the console's last lines: never a skip.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "harness/backend.hpp"
#include "harness/options.hpp"
#include "harness/suite.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

// Whether a backend's limits and isolation are judged inside its guest (vm+container).
bool judged_in_guest(const Backend& backend);

// The inner benchrun's arguments: `--suite SUITE --backends container --cases CASE --images-dir /images --image
// default --out /results -q --timeout SECONDS --runs 1 --warmup 0 --start cold FLAGS...`.
std::vector<std::string> in_guest_suite_args(std::string_view suite, std::string_view case_name,
                                             std::chrono::milliseconds timeout, const std::vector<std::string>& flags);

// The guest's limits for a case: the case's memory and CPU limits (the guest holds them, nested_guest_size),
// and a cpuset of CPU 1 where the case has one, so the guest has two vCPUs and the inner cpuset check (on the
// guest's last CPU) has another CPU an unconfined workload shows up on, whatever the host's CPU count.
reports::Limits in_guest_limits(const reports::Limits& case_limits);

// What the host takes from the inner run's report: the verdicts and samples of `case_name`, relabelled
// `backend`, each verdict's reason ending with where it was judged (the guest's cgroup layout and kernel); the
// inner run's warnings and errors as notes. `missing` is empty when the report has verdicts for the case, else
// why not.
struct AdoptedRun {
  std::vector<reports::Verdict> verdicts;
  std::vector<reports::Sample> samples;
  std::vector<std::string> notes;
  std::string missing;
};
AdoptedRun adopt_inner_report(const reports::Report& inner, std::string_view backend, std::string_view case_name,
                              std::string_view judged_where);

// The limits suite's step on vm+container: the check of the step's case, judged in the guest; --limits-off
// passed on for that check. A guest that fails gives one failing verdict `<check>.host_view` with why. The checks
// with a prepare (io-read-bps, io-read-iops, page-cache: needs_guest_scratch) get an ext4 disk made under
// `scratch_root` (the host's disk), mounted in the guest as the inner run's --scratch-dir.
StepResult limits_in_guest(Backend& backend, const StepInput& input, const std::vector<std::string>& limits_off,
                           const std::filesystem::path& scratch_root);

// Whether the limits check `check` prepares something on a disk (a loop device, a page-cache folder), so that
// vm+container's guest needs a scratch disk for it.
bool needs_guest_scratch(std::string_view check);

// The isolation suite's step on vm+container: the probe judged in the guest against the guest (the container's
// host), with --isolation-off and --user-namespace passed on. A guest that fails fails every check
// (isolation_not_measured) against the container's promise, read from `rootfs` as for the container backend.
StepResult isolation_in_guest(Backend& backend, const StepInput& input, const IsolationOptions& options,
                              const std::filesystem::path& rootfs);

}  // namespace benchrun::harness
