// The size of a guest's swap on the kernel command line, benchrun.swap=<size> (e.g. benchrun.swap=64M): the
// host writes it (vm/guest.cpp) and benchinit reads it as the guest's PID 1 (bench/workloads/guest_setup.cpp),
// which sets up a zram device that size as swap before the workload starts. Header-only and dependency-free:
// benchinit is a static binary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace benchrun::vm {

inline constexpr std::string_view guest_swap_parameter = "benchrun.swap";

// Decimal bytes with an optional binary suffix K, M or G (either case): "64M" = 67108864. nullopt for an empty
// or zero size, another suffix, anything after it, or more than 2^63 bytes.
constexpr std::optional<std::uint64_t> parse_swap_size(std::string_view text) noexcept {
  std::uint64_t value = 0;
  std::size_t at = 0;
  constexpr std::uint64_t limit = std::uint64_t{1} << 63;
  for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
    value = value * 10 + static_cast<std::uint64_t>(text[at] - '0');
    if (value > limit) return std::nullopt;
  }
  if (at == 0) return std::nullopt;
  unsigned shift = 0;
  if (at < text.size()) {
    switch (text[at]) {
      case 'K':
      case 'k':
        shift = 10;
        break;
      case 'M':
      case 'm':
        shift = 20;
        break;
      case 'G':
      case 'g':
        shift = 30;
        break;
      default:
        return std::nullopt;
    }
    if (++at != text.size()) return std::nullopt;
  }
  if (value == 0 || value > (limit >> shift)) return std::nullopt;
  return value << shift;
}

// The parameter's value for `bytes`: whole MiB as "64M", whole KiB as "48K", else the bytes.
inline std::string swap_size_text(std::uint64_t bytes) {
  if (bytes != 0 && bytes % (std::uint64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + "M";
  if (bytes != 0 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + "K";
  return std::to_string(bytes);
}

}  // namespace benchrun::vm
