// What a user asked for, validated: the CLI turns flags into these, everything downstream trusts them.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "harness/instance_spec.hpp"
#include "reports/export/export.hpp"
#include "reports/model.hpp"
#include "vm/accelerator.hpp"
#include "vm/kernel_cmdline.hpp"

namespace benchrun::harness {

// Where the images live and which one a run uses.
struct ImageChoice {
  std::filesystem::path images_dir;
  std::string name = "default";

  [[nodiscard]] std::filesystem::path dir() const { return images_dir / name; }
  [[nodiscard]] std::filesystem::path rootfs() const { return dir() / "rootfs"; }
};

// The density suite's flags: how many instances to hold at once and what may stop it earlier.
struct DensityOptions {
  std::optional<std::uint64_t> count;                    // --count; else the backend's quick default (density.hpp)
  unsigned parallel = 1;                                 // --parallel: launches in flight at once (and teardowns)
  std::optional<std::uint64_t> max_memory_bytes;         // --max-memory: the host's MemAvailable drop allowed
  std::optional<std::chrono::milliseconds> time_budget;  // --time-budget: no launch after that long
  bool raise_limits = false;  // --raise-limits: raise a kernel limit in the way for the run, then restore it
};

// The isolation suite's flags (harness/suites/isolation.hpp).
struct IsolationOptions {
  std::vector<std::string> off;  // --isolation-off: protections removed from container instances (flip tests)
  bool user_namespace = false;   // --user-namespace: container instances get one (and promise it)
};

// The overhead suite's flags (harness/suites/overhead.hpp).
struct OverheadOptions {
  std::vector<std::string> groups;  // --groups: workload groups to measure (empty: every group)
  std::vector<std::string> tools;   // --tool 'CMD ARGS': a program of the image run as a case of its own
  bool full = false;                // --full: the usual sizes (STREAM arrays 4x the LLC, ...), not the quick ones
  bool seccomp = true;              // --seccomp off: containers without the default filter (its cost shows apart)
  // --scratch-dir: where the disk group's file lives, on the host's disk (never a tmpfs), bind-mounted into
  // containers and attached to guests as a virtio disk.
  std::filesystem::path scratch_dir = "/var/tmp/benchrun-overhead";
  std::optional<std::uint64_t> disk_bytes;  // --disk-size; else the group's own (quick 64 MiB, --full 1 GiB)
};

struct SuiteOptions {
  std::string suite;
  std::vector<std::string> backends;
  // What each round measures on every backend, in this order (the suite built them from --workload, --memory, ...).
  std::vector<reports::Case> cases;
  int runs = 10;
  int warmup = 1;
  std::chrono::milliseconds timeout{30'000};
  // --start cold|warm|both: what each round measures per backend, cold first (see harness/runner.hpp).
  std::vector<reports::StartMode> start_modes{reports::StartMode::cold, reports::StartMode::warm};
  ImageChoice image;
  std::filesystem::path out_dir;                                     // empty: results/<run-id>
  std::string libvirt_uri;                                           // empty: the embedded driver under the state dir
  vm::AcceleratorRequest accel = vm::AcceleratorRequest::automatic;  // what the vm backend's guests get
  // --guest-cgroup v2|v1|hybrid: what the guests' benchinit mounts (none: vm mounts nothing, vm+container v2).
  std::optional<vm::CgroupLayout> guest_cgroup;
  std::vector<std::string> guest_kernel_args;  // --guest-kernel-args: more kernel parameters for every guest
  bool quiet = false;
  std::vector<reports::ExportSpec> exports;  // --export KIND:FILE, written after report.json
  std::filesystem::path baseline;            // --baseline FILE: compared with the new report after the run
  std::vector<std::string> command_line;
  DensityOptions density;
  // --limits-off CHECK (limits suite): run that check without its limit, to prove its verdicts flip to fail.
  std::vector<std::string> limits_off;
  IsolationOptions isolation;
  OverheadOptions overhead;
};

// `benchrun run`: one command in one instance, by hand.
struct RunCommandOptions {
  std::string backend;    // a container backend of the registry (default: the first)
  InstanceSpec instance;  // the command (workload and args), limits and switches; the run command names it
  ImageChoice image;
  bool verbose = false;  // benchinit's protocol lines on stderr (else the workload's output alone)
  // --phases-fd: once the container is gone, its phases go to this fd as one BENCHRUN PHASES line
  // (protocol/workload_protocol.hpp); how the vm+container backend gets the guest-clock phases out.
  std::optional<int> phases_fd;
  // --backend vm only: the guest's cgroup layout (--guest-cgroup), the host folder that receives what the
  // command wrote under /results in the guest (--results), and how long the guest may take (--timeout).
  std::optional<vm::CgroupLayout> guest_cgroup;
  std::filesystem::path results_dir;
  std::optional<std::chrono::seconds> timeout;
};

// "64M", "1G", "512k", "1048576" -> bytes. Throws Error naming the value on anything else.
std::uint64_t parse_size(const std::string& text);
// "1.5" -> 1.5 cores; must be > 0.
double parse_cpus(const std::string& text);
// 67108864 -> "64M": the shortest exact form, for messages.
std::string format_size(std::uint64_t bytes);

}  // namespace benchrun::harness
