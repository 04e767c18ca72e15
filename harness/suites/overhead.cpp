#include "harness/suites/overhead.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

#include "harness/suites/overhead_network.hpp"
#include "harness/suites/startup.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "sys/unique_fd.hpp"
#include "sys/wait.hpp"

namespace benchrun::harness {
namespace {

// Where a container sees the disk group's folder.
constexpr std::string_view container_scratch = "/scratch";
constexpr std::string_view disk_file_name = "overhead-disk.img";

std::vector<std::string> words(std::initializer_list<std::string_view> list) { return {list.begin(), list.end()}; }

bool in_group(const reports::Case& test_case, const OverheadCaseGroup& group) {
  return test_case.name == group.name || test_case.name.starts_with(fmt::format("{}.", group.name));
}

bool is_tool_case(const reports::Case& test_case) { return test_case.name.starts_with(overhead_tool_prefix); }

// "stress-ng" -> "/usr/bin/stress-ng": the image builder copies a host program to its host path.
std::string tool_path(const std::string& word) {
  return word.find('/') == std::string::npos ? "/usr/bin/" + word : word;
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream stream(text);
  std::vector<std::string> list;
  for (std::string word; stream >> word;) list.push_back(word);
  return list;
}

// The disk group's file: on the host's disk, the same file and size for every backend of the run, removed
// when the suite's step goes.
class ScratchDisk {
 public:
  ScratchDisk(const std::filesystem::path& scratch_root, std::uint64_t bytes) {
    // A folder the run made is removed with it (when empty: another run may share it).
    if (std::filesystem::create_directories(scratch_root)) made_root_ = scratch_root;
    struct statfs info {};
    if (::statfs(scratch_root.c_str(), &info) != 0)
      throw sys::SystemError(errno, fmt::format("statfs {}", scratch_root.string()));
    if (info.f_type == TMPFS_MAGIC || info.f_type == RAMFS_MAGIC) {
      std::error_code ignored;
      if (!made_root_.empty()) std::filesystem::remove(made_root_, ignored);
      throw sys::Error(
          fmt::format("--scratch-dir {} is a tmpfs: the disk group needs the host's disk (e.g. "
                      "--scratch-dir /var/tmp/benchrun-overhead)",
                      scratch_root.string()));
    }
    folder_ = scratch_root / fmt::format("run-{}", ::getpid());
    std::filesystem::create_directories(folder_);
    file_ = folder_ / disk_file_name;
    const sys::UniqueFd fd(::open(file_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (fd.get() < 0) throw sys::SystemError(errno, fmt::format("create {}", file_.string()));
    // Real blocks, not a sparse file: reads must reach the disk on every backend.
    if (::posix_fallocate(fd.get(), 0, static_cast<off_t>(bytes)) != 0)
      throw sys::Error(fmt::format("allocate {} bytes for {}: is the disk full?", bytes, file_.string()));
  }
  ScratchDisk(const ScratchDisk&) = delete;
  ScratchDisk& operator=(const ScratchDisk&) = delete;
  ~ScratchDisk() {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
    if (!made_root_.empty()) std::filesystem::remove(made_root_, ignored);
  }
  [[nodiscard]] const std::filesystem::path& folder() const { return folder_; }
  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path made_root_;
  std::filesystem::path folder_;
  std::filesystem::path file_;
};

// Whether the image's guests load virtio_blk (image "guest" lists its modules in /etc/benchrun/modules).
bool guest_loads_virtio_blk(const ImageChoice& image) {
  std::error_code error;
  const auto modules = image.rootfs() / "etc/benchrun/modules";
  if (!std::filesystem::exists(modules, error)) return false;
  return sys::read_file(modules).find("virtio_blk") != std::string::npos;
}

// What the run shares between steps: the scratch disk (made when the disk group first runs) and the notes
// already given (once per run, not once per round).
struct OverheadState {
  SuiteOptions options;
  std::mutex lock;
  std::unique_ptr<ScratchDisk> disk;
  std::vector<std::string> notes_given;

  // The file is as large as the case's --mib says (the same case on every backend).
  const ScratchDisk& scratch_disk(const std::vector<std::string>& args) {
    const std::lock_guard guard(lock);
    if (!disk) {
      const auto mib = std::find(args.begin(), args.end(), "--mib");
      const std::uint64_t size_mib =
          mib != args.end() && std::next(mib) != args.end() ? std::stoull(*std::next(mib)) : 64;
      disk = std::make_unique<ScratchDisk>(options.overhead.scratch_dir, size_mib << 20);
    }
    return *disk;
  }
  bool first_time(const std::string& note) {
    const std::lock_guard guard(lock);
    if (std::find(notes_given.begin(), notes_given.end(), note) != notes_given.end()) return false;
    notes_given.push_back(note);
    return true;
  }
};

// The disk group's instance on this backend: where its disk is and how it gets there. False when the backend
// cannot be given the disk (a guest without virtio_blk), with the reason in `why`.
bool place_disk(Backend& backend, OverheadState& state, InstanceSpec& spec, std::string& why) {
  const ScratchDisk& disk = state.scratch_disk(spec.workload_args);
  std::string path;
  switch (backend.kind()) {
    case reports::BackendKind::native:
      path = disk.file().string();
      break;
    case reports::BackendKind::container:
    case reports::BackendKind::oci:
      spec.binds.emplace_back(disk.folder().string(), std::string(container_scratch));
      path = fmt::format("{}/{}", container_scratch, disk_file_name);
      break;
    case reports::BackendKind::vm:
      if (!guest_loads_virtio_blk(state.options.image)) {
        why = fmt::format(
            "disk on {}: not measured: image '{}' does not load virtio_blk in its guests (no virtio_blk in "
            "/etc/benchrun/modules); build the image 'guest' and run with --image guest",
            backend.name(), state.options.image.name);
        return false;
      }
      spec.disk_files.push_back(disk.file().string());
      path = "/dev/vda";
      break;
  }
  std::replace(spec.workload_args.begin(), spec.workload_args.end(), std::string(overhead_disk_placeholder), path);
  return true;
}

reports::Sample measure_tool(Backend& backend, const InstanceSpec& spec, std::chrono::milliseconds timeout) {
  std::vector<std::string> output;
  reports::Sample sample = measure_startup(backend, spec, timeout, &output);
  if (!sample.ok) return sample;
  const auto figures = parse_tool_figures(output);
  if (figures.empty()) {
    sample.ok = false;
    sample.failure = reports::Failure{
        reports::FailureKind::crash,
        fmt::format("{}: no figure found in its output (stress-ng needs --metrics-brief, fio --output-format=json)",
                    spec.workload)};
    return sample;
  }
  for (const auto& [name, value] : figures) sample.metrics[name] = value;
  return sample;
}

}  // namespace

const std::vector<OverheadGroup>& overhead_groups() {
  // Quick sizes: at most about a second natively each (guests under TCG take tens to hundreds of times that:
  // floating point is emulated in software there). Full sizes: STREAM's
  // rule (each array at least 4x the last-level cache: 128 MiB covers 32 MiB), a chase over 1 GiB, more
  // repetitions everywhere.
  static const std::vector<OverheadGroup> groups{
      {"cpu", "integer (sysbench's prime test) and floating-point work: time and ops/s", words({"cpu"}),
       words({"cpu", "--scale", "20"})},
      {"memory_bandwidth", "STREAM copy, scale, add, triad (MB/s, best of the repetitions)",
       words({"stream", "--mib", "32", "--times", "5"}), words({"stream", "--mib", "128", "--times", "10"})},
      {"memory_latency", "random pointer chase over an array far past the caches and the TLB's reach",
       words({"latency", "--mib", "64", "--loads", "1000000"}),
       words({"latency", "--mib", "1024", "--loads", "20000000"})},
      {"syscalls", "ns per getppid and per fstat (seccomp's cost shows here)", words({"syscalls", "--count", "300000"}),
       words({"syscalls", "--count", "5000000"})},
      {"context_switch", "pipe ping-pong between two processes on one CPU", words({"ctxsw", "--count", "30000"}),
       words({"ctxsw", "--count", "500000"})},
      {"process_creation", "fork+exit and fork+exec per second", words({"proc", "--count", "600"}),
       words({"proc", "--count", "10000"})},
      {"disk", "sequential MB/s and 4 KiB random-read IOPS, O_DIRECT, on the host's disk",
       words({"disk", overhead_disk_placeholder, "--mib", "64", "--reads", "3000"}),
       words({"disk", overhead_disk_placeholder, "--mib", "1024", "--reads", "50000"})},
  };
  return groups;
}

std::span<const OverheadCaseGroup> overhead_case_groups() {
  static const std::vector<OverheadCaseGroup> groups{
      // network.tcp_rr and network.tcp_stream, each instance behind a veth (a guest: a tap) to a peer
      // (overhead_network.hpp).
      {"network", "TCP round trips and stream throughput to a peer behind a veth (guests: a tap)", &network_suite_cases,
       &make_network_step},
  };
  return groups;
}

std::vector<reports::Case> overhead_cases(const CaseFlags& flags) {
  const OverheadOptions& options = flags.overhead;
  std::vector<std::string> known;
  for (const auto& group : overhead_groups()) known.emplace_back(group.name);
  for (const auto& group : overhead_case_groups()) known.emplace_back(group.name);
  for (const auto& name : options.groups) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      throw sys::Error(fmt::format("--groups: unknown group '{}': choose from {}", name, fmt::join(known, ",")));
    }
  }
  // --tool alone measures the tool alone; --groups adds groups to it.
  const bool every_group = options.groups.empty() && options.tools.empty();
  const auto wanted = [&](std::string_view name) {
    return every_group || std::find(options.groups.begin(), options.groups.end(), name) != options.groups.end();
  };
  std::vector<reports::Case> cases;
  for (const auto& group : overhead_groups()) {
    if (!wanted(group.name)) continue;
    std::vector<std::string> args = options.full ? group.full_args : group.quick_args;
    if (options.disk_bytes) {
      const auto mib = std::find(args.begin(), args.end(), "--mib");
      if (group.name == "disk" && mib != args.end()) *std::next(mib) = std::to_string(*options.disk_bytes >> 20);
    }
    cases.push_back(reports::Case{std::string(group.name), "overhead", std::move(args), flags.limits});
  }
  for (const auto& group : overhead_case_groups()) {
    if (!wanted(group.name)) continue;
    for (auto& extra : group.cases(flags)) cases.push_back(std::move(extra));
  }
  for (const auto& tool : options.tools) {
    auto tool_words = split_words(tool);
    if (tool_words.empty())
      throw sys::Error("--tool '': give a command, e.g. --tool 'stress-ng --cpu 1 --cpu-ops 2000'");
    std::string name = fmt::format("{}{}", overhead_tool_prefix, fmt::join(tool_words, " "));
    const std::string path = tool_path(tool_words.front());
    cases.push_back(reports::Case{std::move(name), path, {tool_words.begin() + 1, tool_words.end()}, flags.limits});
  }
  return cases;
}

Step make_overhead_step(const SuiteOptions& options) {
  auto state = std::make_shared<OverheadState>();
  state->options = options;
  // The steps of the case groups with code of their own, by case name.
  auto group_steps = std::make_shared<std::map<std::string, Step>>();
  for (const auto& group : overhead_case_groups()) {
    const bool has_cases = std::any_of(options.cases.begin(), options.cases.end(),
                                       [&](const reports::Case& test_case) { return in_group(test_case, group); });
    if (!has_cases) continue;
    Step step = group.make_step(options);
    for (const auto& test_case : options.cases) {
      if (in_group(test_case, group)) (*group_steps)[test_case.name] = step;
    }
  }
  return [state, group_steps](Backend& backend, const StepInput& input) {
    if (const auto own = group_steps->find(input.test_case.name); own != group_steps->end())
      return own->second(backend, input);
    StepResult result;
    InstanceSpec spec = instance_spec(input.test_case, input.next_instance_name());
    spec.seccomp = state->options.overhead.seccomp;
    const auto failed = [&](std::string message) {
      reports::Sample sample;
      sample.backend = backend.name();
      sample.failure = reports::Failure{reports::FailureKind::error, std::move(message)};
      result.samples.push_back(std::move(sample));
      return result;
    };
    if (is_tool_case(input.test_case)) {
      std::error_code error;
      if (!std::filesystem::exists(state->options.image.rootfs() / spec.workload.substr(1), error)) {
        return failed(fmt::format(
            "image '{}' has no {}: build an image with it (scripts/build-image.sh --add {}, or the image 'guest') "
            "and pass --image",
            state->options.image.name, spec.workload, spec.workload));
      }
      result.samples.push_back(measure_tool(backend, spec, input.timeout));
      return result;
    }
    const bool is_disk = std::find(spec.workload_args.begin(), spec.workload_args.end(),
                                   std::string(overhead_disk_placeholder)) != spec.workload_args.end();
    if (is_disk) {
      std::string why;
      try {
        if (!place_disk(backend, *state, spec, why)) {
          if (state->first_time(why)) result.notes.push_back(why);
          return result;
        }
      } catch (const sys::Interrupted&) {
        throw;
      } catch (const sys::Error& error) {
        return failed(fmt::format("disk group: {}", error.what()));
      } catch (const std::filesystem::filesystem_error& error) {
        return failed(fmt::format("disk group: {}", error.what()));
      }
    }
    result.samples.push_back(measure_startup(backend, spec, input.timeout));
    return result;
  };
}

std::map<std::string, double> parse_tool_figures(const std::vector<std::string>& lines) {
  std::map<std::string, double> figures;
  // stress-ng --metrics-brief: "stress-ng: metrc: [PID] NAME BOGO_OPS REAL USR SYS OPS_PER_S_REAL OPS_PER_S_CPU";
  // older releases say "info:" instead of "metrc:". The header lines have no numbers where these do.
  double bogo_ops_per_s = 0;
  bool stress_ng_seen = false;
  for (const auto& line : lines) {
    if (!line.starts_with("stress-ng:")) continue;
    std::istringstream stream(line);
    std::string program;
    std::string level;
    std::string pid;
    std::string stressor;
    stream >> program >> level >> pid >> stressor;
    if ((level != "metrc:" && level != "info:") || pid.empty() || pid.front() != '[') continue;
    double numbers[6];
    bool all = true;
    for (double& number : numbers) all = all && static_cast<bool>(stream >> number);
    if (!all) continue;
    bogo_ops_per_s += numbers[4];
    stress_ng_seen = true;
  }
  if (stress_ng_seen) figures["tool_bogo_ops_per_s"] = bogo_ops_per_s;

  // fio --output-format=json: one JSON document, from the line that is "{" to the line that is "}".
  std::string document;
  bool inside = false;
  for (const auto& line : lines) {
    if (!inside && line == "{") inside = true;
    if (inside) document += line + "\n";
    if (inside && line == "}") break;
  }
  if (!document.empty()) {
    const auto json = nlohmann::json::parse(document, nullptr, false);
    if (!json.is_discarded() && json.contains("jobs") && json["jobs"].is_array()) {
      double sums[4] = {0, 0, 0, 0};
      for (const auto& job : json["jobs"]) {
        int at = 0;
        for (const char* direction : {"read", "write"}) {
          if (job.contains(direction)) {
            sums[at] += job[direction].value("iops", 0.0);
            sums[at + 1] += job[direction].value("bw_bytes", 0.0) / 1e6;
          }
          at += 2;
        }
      }
      const char* names[] = {"tool_fio_read_iops", "tool_fio_read_mb_s", "tool_fio_write_iops", "tool_fio_write_mb_s"};
      for (int i = 0; i < 4; ++i) {
        if (sums[i] > 0) figures[names[i]] = sums[i];
      }
    }
  }
  return figures;
}

}  // namespace benchrun::harness
