#include "harness/suites/limits_swap.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>

#include "runtime/cgroup/cgroup_files.hpp"
#include "sys/file_io.hpp"

namespace benchrun::harness {
namespace {

namespace fs = std::filesystem;
using reports::Verdict;

constexpr std::uint64_t mib = 1ULL << 20;
// The memory check's hog and limit (memory_check_limit_bytes), with 32 MiB of swap on top: the hog of 128 MiB
// is twice memory+swap, so it cannot fit by luck whatever the kernel keeps out of the counters.
constexpr std::uint64_t memory_swap_limit_bytes = 64 * mib;
constexpr const char* hog_mib = "128";
constexpr const char* hold_ms = "500";
// v1 reads an unlimited counter as PAGE_COUNTER_MAX pages (8 EiB with 4 KiB pages), v2 as "max".
constexpr std::uint64_t unlimited_v1 = 1ULL << 60;

double to_mib(std::uint64_t bytes) { return static_cast<double>(bytes) / static_cast<double>(mib); }

std::optional<std::uint64_t> read_count(const fs::path& path) {
  auto text = runtime::read_cgroup_file_if_exists(path);
  if (!text) return std::nullopt;
  while (!text->empty() && (text->back() == '\n' || text->back() == ' ')) text->pop_back();
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc{} || end != text->data() + text->size()) return std::nullopt;  // "max"
  return value;
}

std::optional<std::string> memory_swap_on_this_host() {
  return memory_swap_not_applicable(sys::read_file_if_present("/proc/swaps").value_or(""));
}

}  // namespace

LimitCheck memory_swap_check() {
  LimitCheck swap{"memory-swap",
                  "a hog of 128M under 32M of memory and 64M of memory+swap: swap filled to its limit, then OOM-killed "
                  "(only where there is swap)",
                  "oomprobe",
                  {hog_mib, hold_ms},
                  {},
                  &judge_memory_swap};
  swap.limits.memory_bytes = memory_check_limit_bytes;
  swap.limits.memory_swap_bytes = memory_swap_limit_bytes;
  swap.not_applicable = &memory_swap_on_this_host;
  return swap;
}

std::optional<std::uint64_t> guest_swap_for(const reports::Limits& limits) {
  if (!limits.memory_swap_bytes) return std::nullopt;
  const std::uint64_t memory = limits.memory_bytes.value_or(0);
  const std::uint64_t swap_part = *limits.memory_swap_bytes > memory ? *limits.memory_swap_bytes - memory : 0;
  // At least 16 MiB: a swap area needs a header page and the kernel refuses a tiny one (fewer than 10 pages).
  return std::max<std::uint64_t>(2 * swap_part, 16 * mib);
}

std::optional<std::string> memory_swap_not_applicable(std::string_view proc_swaps) {
  // The first line is the header ("Filename Type Size Used Priority"); every further line is a swap area.
  const std::size_t header_end = proc_swaps.find('\n');
  const std::string_view areas = header_end == std::string_view::npos ? "" : proc_swaps.substr(header_end + 1);
  if (areas.find_first_not_of(" \t\n") == std::string_view::npos)
    return "not applicable: no swap on this host (/proc/swaps lists none; benchrun never turns swap on; "
           "vm+container judges it in a guest with swap)";
  return std::nullopt;
}

void read_swap_host_view_v1(const fs::path& memory, HostView& view) {
  view.memory_swap_limit_bytes = read_count(memory / "memory.memsw.limit_in_bytes");
  view.memory_swap_peak_bytes = read_count(memory / "memory.memsw.max_usage_in_bytes");
  view.swap_limit_hits = read_count(memory / "memory.memsw.failcnt");
}

void read_swap_host_view_v2(const fs::path& dir, HostView& view) {
  const std::optional<std::uint64_t> swap_max = read_count(dir / "memory.swap.max");
  const std::optional<std::uint64_t> memory_max = read_count(dir / "memory.max");
  if (swap_max && memory_max) view.memory_swap_limit_bytes = *memory_max + *swap_max;
  view.swap_limit_hits = runtime::read_cgroup_key(dir / "memory.swap.events", "max");
}

std::vector<Verdict> judge_memory_swap(const LimitCheck& check, const Observation& seen) {
  const std::uint64_t memory_limit = check.limits.memory_bytes.value_or(0);
  const std::uint64_t limit = check.limits.memory_swap_bytes.value_or(0);
  const HostView& host = seen.host;

  // The workload's side and the cgroup's OOM count, as for the memory check.
  Verdict oom =
      judge_hog_oom_kill("memory_swap.oom_kill", check, seen, fmt::format("{:.0f} MiB of memory+swap", to_mib(limit)));

  // The host's side: the limits read back, and swap filled up to its limit, never past it.
  const bool v1 = host.memory_swap_peak_bytes.has_value();
  Verdict swap = make_verdict(
      "memory_swap.swap_filled_within_limit", v1 ? reports::VerdictValue(to_mib(limit)) : reports::VerdictValue(1.0),
      v1 ? std::optional<reports::VerdictValue>(to_mib(*host.memory_swap_peak_bytes))
         : (host.swap_limit_hits ? std::optional<reports::VerdictValue>(static_cast<double>(*host.swap_limit_hits))
                                 : std::nullopt),
      v1 ? "MiB" : "swap.max hits", std::nullopt);
  std::vector<std::string> failures;
  if (!host.memory_swap_limit_bytes || *host.memory_swap_limit_bytes >= unlimited_v1) {
    failures.emplace_back("the cgroup has no memory+swap limit (memory.memsw.limit_in_bytes / memory.swap.max)");
  } else if (*host.memory_swap_limit_bytes != limit) {
    failures.push_back(
        fmt::format("the cgroup's memory+swap limit reads {:.1f} MiB", to_mib(*host.memory_swap_limit_bytes)));
  }
  if (host.memory_limit_bytes != memory_limit) {
    failures.push_back(host.memory_limit_bytes && *host.memory_limit_bytes < unlimited_v1
                           ? fmt::format("the cgroup's memory limit reads {:.1f} MiB", to_mib(*host.memory_limit_bytes))
                           : std::string("the cgroup has no memory limit"));
  }
  if (host.memory_peak_bytes && *host.memory_peak_bytes > memory_limit) {
    failures.push_back(
        fmt::format("memory usage peaked at {:.1f} MiB, over the memory limit", to_mib(*host.memory_peak_bytes)));
  }
  std::string pass_reason;
  if (v1) {
    const std::uint64_t peak = *host.memory_swap_peak_bytes;
    if (peak > limit) {
      failures.push_back(fmt::format("memory+swap peaked at {:.1f} MiB, over the limit", to_mib(peak)));
    } else if (peak <= memory_limit) {
      failures.push_back(
          fmt::format("memory+swap peaked at {:.1f} MiB, not above the {:.0f} MiB memory limit: nothing went to swap",
                      to_mib(peak), to_mib(memory_limit)));
    }
    if (host.swap_limit_hits.value_or(0) == 0)
      failures.emplace_back("memory.memsw.failcnt is 0: the memory+swap limit never refused a charge");
    pass_reason = fmt::format(
        "memory+swap peaked at {:.1f} MiB, above the {:.0f} MiB memory limit (pages went to swap) and not above the "
        "{:.0f} MiB memory+swap limit (exact: the memsw counter refused {} charges over it); memory peaked at {:.1f} "
        "MiB",
        to_mib(peak), to_mib(memory_limit), to_mib(limit), host.swap_limit_hits.value_or(0),
        to_mib(host.memory_peak_bytes.value_or(0)));
  } else {
    if (!host.swap_limit_hits) {
      failures.emplace_back(
          "the host cannot read the swap counters (neither v1 memory.memsw.* nor v2 memory.swap.events: no swap "
          "accounting in this kernel)");
    } else if (*host.swap_limit_hits == 0) {
      failures.emplace_back("memory.swap.events max is 0: swap never reached memory.swap.max");
    }
    pass_reason = fmt::format(
        "swap reached its {:.0f} MiB part of the {:.0f} MiB memory+swap limit (memory.swap.events max {}: the kernel "
        "refused swap charges over memory.swap.max) while memory peaked at {:.1f} MiB under its {:.0f} MiB limit",
        to_mib(limit - memory_limit), to_mib(limit), host.swap_limit_hits.value_or(0),
        to_mib(host.memory_peak_bytes.value_or(0)), to_mib(memory_limit));
  }
  conclude(swap, failures, pass_reason, seen);
  return {oom, swap};
}

}  // namespace benchrun::harness
