// What a user asked for, validated: the CLI turns flags into these, everything downstream trusts them.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "reports/model.hpp"
#include "vm/accelerator.hpp"

namespace benchrun::harness {

// Resource limits applied to every instance (native runs ignore them: it is the unconfined baseline).
struct Limits {
  std::optional<std::uint64_t> memory_bytes;
  std::optional<double> cpus;
  std::optional<std::uint64_t> pids_max;
  std::optional<std::string> cpuset_cpus;

  [[nodiscard]] bool any() const { return memory_bytes || cpus || pids_max || cpuset_cpus; }
};

// Where the images live and which one a run uses.
struct ImageChoice {
  std::filesystem::path images_dir;
  std::string name = "default";

  [[nodiscard]] std::filesystem::path dir() const { return images_dir / name; }
  [[nodiscard]] std::filesystem::path rootfs() const { return dir() / "rootfs"; }
};

struct SuiteOptions {
  std::string suite;
  std::vector<std::string> backends;
  std::string workload = "hello";
  std::vector<std::string> workload_args;
  int runs = 10;
  int warmup = 1;
  std::chrono::milliseconds timeout{30'000};
  // --start cold|warm|both: what each round measures per backend, cold first (see harness/runner.hpp).
  std::vector<reports::StartMode> start_modes{reports::StartMode::cold, reports::StartMode::warm};
  Limits limits;
  ImageChoice image;
  std::filesystem::path out_dir;                                     // empty: results/<run-id>
  std::string libvirt_uri;                                           // empty: the embedded driver under the state dir
  vm::AcceleratorRequest accel = vm::AcceleratorRequest::automatic;  // what the vm backend's guests get
  bool quiet = false;
  std::vector<std::string> command_line;
};

struct RunOptions {
  std::string backend = "container";
  std::vector<std::string> command;
  Limits limits;
  ImageChoice image;
  std::optional<std::string> hostname;
  bool network_namespace = true;
  bool user_namespace = false;
  bool seccomp = true;
  bool verbose = false;  // benchinit's protocol lines on stderr (else the workload's output alone)
};

// "64M", "1G", "512k", "1048576" -> bytes. Throws Error naming the value on anything else.
std::uint64_t parse_size(const std::string& text);
// "1.5" -> 1.5 cores; must be > 0.
double parse_cpus(const std::string& text);
// 67108864 -> "64M": the shortest exact form, for messages.
std::string format_size(std::uint64_t bytes);

}  // namespace benchrun::harness
