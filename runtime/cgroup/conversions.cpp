#include "runtime/cgroup/conversions.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <cmath>

#include "sys/error.hpp"

namespace benchrun::runtime {

namespace {

constexpr std::uint64_t min_quota_us = 1'000;
constexpr std::uint64_t min_shares = 2;
constexpr std::uint64_t max_shares = 262'144;
constexpr std::uint64_t min_weight = 1;
constexpr std::uint64_t max_weight = 10'000;

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\n");
  return text.substr(first, last - first + 1);
}

std::optional<std::uint64_t> to_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

CpuQuota cpus_to_quota(double cpus, std::uint64_t period_us) {
  if (!(cpus > 0)) throw sys::Error(fmt::format("cpus must be > 0, got {}", cpus));
  const auto quota = static_cast<std::uint64_t>(std::llround(cpus * static_cast<double>(period_us)));
  if (quota < min_quota_us) {
    throw sys::Error(fmt::format("cpus {} gives a quota of {} us per {} us period, under the kernel's {} us minimum",
                                 cpus, quota, period_us, min_quota_us));
  }
  return CpuQuota{quota, period_us};
}

std::uint64_t shares_to_weight(std::uint64_t shares) {
  shares = std::clamp(shares, min_shares, max_shares);
  return min_weight + ((shares - min_shares) * (max_weight - min_weight)) / (max_shares - min_shares);
}

std::uint64_t weight_to_shares(std::uint64_t weight) {
  weight = std::clamp(weight, min_weight, max_weight);
  return min_shares + ((weight - min_weight) * (max_shares - min_shares)) / (max_weight - min_weight);
}

std::string io_max_line(const IoDeviceLimit& limit) {
  std::string line = fmt::format("{}:{}", limit.major, limit.minor);
  const auto add = [&](std::string_view key, const std::optional<std::uint64_t>& value) {
    if (value) line += fmt::format(" {}={}", key, *value);
  };
  add("rbps", limit.read_bps);
  add("wbps", limit.write_bps);
  add("riops", limit.read_iops);
  add("wiops", limit.write_iops);
  return line;
}

std::optional<std::uint64_t> find_keyed_value(std::string_view content, std::string_view key) {
  while (!content.empty()) {
    const auto newline = content.find('\n');
    const auto line = content.substr(0, newline);
    content = newline == std::string_view::npos ? std::string_view{} : content.substr(newline + 1);
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ' ') {
      return to_number(trim(line.substr(key.size() + 1)));
    }
  }
  return std::nullopt;
}

std::optional<std::uint64_t> parse_single_value(std::string_view content) {
  const auto value = trim(content);
  if (value == "max") return std::nullopt;
  if (auto number = to_number(value)) return number;
  throw sys::Error(fmt::format("expected a number or \"max\", got \"{}\"", value));
}

std::uint64_t memory_swap_limit(const ResourceLimits& limits) {
  if (!limits.memory_swap_bytes) throw sys::Error("cgroup memory: no memory+swap limit given");
  if (!limits.memory_bytes) {
    throw sys::Error(
        fmt::format("cgroup memory: a memory+swap limit of {} bytes needs a memory limit too: give --memory",
                    *limits.memory_swap_bytes));
  }
  if (*limits.memory_swap_bytes < *limits.memory_bytes) {
    throw sys::Error(fmt::format(
        "cgroup memory: the memory+swap limit ({} bytes) is below the memory limit ({} bytes): give at least that",
        *limits.memory_swap_bytes, *limits.memory_bytes));
  }
  return *limits.memory_swap_bytes;
}

}  // namespace benchrun::runtime
