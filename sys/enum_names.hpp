// An enum's names as one table that both directions read, so printing and parsing cannot disagree:
//   constexpr sys::EnumNames<Mode, 2> kModeNames{{{Mode::cold, "cold"}, {Mode::warm, "warm"}}};
//   name_of(kModeNames, Mode::cold) == "cold"; value_of(kModeNames, "warm") == Mode::warm.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace benchrun::sys {

template <typename Enum>
struct EnumName {
  Enum value;
  std::string_view name;
};

template <typename Enum, std::size_t Count>
using EnumNames = std::array<EnumName<Enum>, Count>;

// The name of `value`; "unknown" for a value the table lacks (a cast, not an enumerator).
template <typename Enum, std::size_t Count>
constexpr std::string_view name_of(const EnumNames<Enum, Count>& names, Enum value) {
  for (const auto& entry : names) {
    if (entry.value == value) return entry.name;
  }
  return "unknown";
}

// The value named `name` exactly; nullopt for any other text.
template <typename Enum, std::size_t Count>
constexpr std::optional<Enum> value_of(const EnumNames<Enum, Count>& names, std::string_view name) {
  for (const auto& entry : names) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

// The names for a message: "auto, kvm or tcg".
template <typename Enum, std::size_t Count>
std::string names_listed(const EnumNames<Enum, Count>& names) {
  std::string listed;
  for (std::size_t i = 0; i < Count; ++i) {
    if (i > 0) listed += i + 1 == Count ? " or " : ", ";
    listed += names[i].name;
  }
  return listed;
}

}  // namespace benchrun::sys
