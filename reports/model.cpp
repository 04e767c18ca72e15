#include "reports/model.hpp"

#include <fmt/format.h>
#include <array>
#include <utility>

#include "sys/error.hpp"

namespace benchrun::reports {
namespace {

// Each enum's names, in declaration order: the one list its to_string and its parser both read.
template <typename Enum, std::size_t Count>
using NameTable = std::array<std::pair<Enum, std::string_view>, Count>;

constexpr NameTable<FailureKind, 4> failure_kind_names{{{FailureKind::crash, "crash"},
                                                        {FailureKind::timeout, "timeout"},
                                                        {FailureKind::oom, "oom"},
                                                        {FailureKind::error, "error"}}};
constexpr NameTable<BackendKind, 4> backend_kind_names{{{BackendKind::native, "native"},
                                                        {BackendKind::container, "container"},
                                                        {BackendKind::oci, "oci"},
                                                        {BackendKind::vm, "vm"}}};
constexpr NameTable<StartMode, 2> start_mode_names{{{StartMode::cold, "cold"}, {StartMode::warm, "warm"}}};
constexpr NameTable<Better, 2> better_names{{{Better::lower, "lower"}, {Better::higher, "higher"}}};

template <typename Enum, std::size_t Count>
std::string_view name_of(const NameTable<Enum, Count>& names, Enum value) {
  for (const auto& [known, name] : names) {
    if (known == value) return name;
  }
  return names.front().second;  // unreachable for a valid enumerator
}

// Throws Error "unknown <what> 'text' (expected a, b or c)".
template <typename Enum, std::size_t Count>
Enum parse_name(const NameTable<Enum, Count>& names, std::string_view text, std::string_view what) {
  std::string expected;
  for (std::size_t index = 0; index < Count; ++index) {
    if (names[index].second == text) return names[index].first;
    expected += fmt::format("{}{}", index == 0 ? "" : index + 1 == Count ? " or " : ", ", names[index].second);
  }
  throw sys::Error(fmt::format("unknown {} '{}' (expected {})", what, text, expected));
}

}  // namespace

std::string_view to_string(FailureKind kind) { return name_of(failure_kind_names, kind); }
std::string_view to_string(BackendKind kind) { return name_of(backend_kind_names, kind); }
std::string_view to_string(StartMode mode) { return name_of(start_mode_names, mode); }
std::string_view to_string(Better better) { return name_of(better_names, better); }

FailureKind parse_failure_kind(std::string_view text) { return parse_name(failure_kind_names, text, "failure kind"); }
BackendKind parse_backend_kind(std::string_view text) { return parse_name(backend_kind_names, text, "backend kind"); }
StartMode parse_start_mode(std::string_view text) { return parse_name(start_mode_names, text, "start mode"); }
Better parse_better(std::string_view text) { return parse_name(better_names, text, "direction"); }

}  // namespace benchrun::reports
