#include "harness/options.hpp"

#include <fmt/format.h>
#include <cctype>
#include <charconv>
#include <cmath>

#include "sys/error.hpp"

namespace benchrun::harness {

std::uint64_t parse_size(const std::string& text) {
  std::uint64_t number = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || rest == begin) {
    throw sys::Error(fmt::format("invalid size '{}': use a number with an optional K, M or G suffix, e.g. 64M", text));
  }
  std::string suffix(rest, end);
  for (auto& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (suffix.ends_with("IB"))
    suffix.resize(suffix.size() - 2);
  else if (suffix.size() > 1 && suffix.ends_with("B"))
    suffix.resize(suffix.size() - 1);
  int shift = 0;
  if (suffix.empty() || suffix == "B")
    shift = 0;
  else if (suffix == "K")
    shift = 10;
  else if (suffix == "M")
    shift = 20;
  else if (suffix == "G")
    shift = 30;
  else if (suffix == "T")
    shift = 40;
  else
    throw sys::Error(
        fmt::format("invalid size '{}': unknown suffix '{}' (use K, M, G or T)", text, std::string(rest, end)));
  if (shift > 0 && number > (UINT64_MAX >> shift)) throw sys::Error(fmt::format("invalid size '{}': too large", text));
  if (number == 0) throw sys::Error(fmt::format("invalid size '{}': must be greater than 0", text));
  return number << shift;
}

double parse_cpus(const std::string& text) {
  double cpus = 0;
  auto [rest, ec] = std::from_chars(text.data(), text.data() + text.size(), cpus);
  if (ec != std::errc() || rest != text.data() + text.size() || !std::isfinite(cpus) || cpus <= 0) {
    throw sys::Error(fmt::format("invalid CPU count '{}': use a positive number of cores, e.g. 0.5", text));
  }
  return cpus;
}

std::string format_size(std::uint64_t bytes) {
  static constexpr std::pair<int, char> units[] = {{40, 'T'}, {30, 'G'}, {20, 'M'}, {10, 'K'}};
  for (const auto& [shift, suffix] : units) {
    const std::uint64_t unit = std::uint64_t{1} << shift;
    if (bytes >= unit && bytes % unit == 0) return fmt::format("{}{}", bytes / unit, suffix);
  }
  return std::to_string(bytes);
}

}  // namespace benchrun::harness
