#include "reports/model.hpp"

#include <fmt/format.h>

#include "sys/enum_names.hpp"
#include "sys/error.hpp"

namespace benchrun::reports {
namespace {

constexpr sys::EnumNames<FailureKind, 4> failure_kind_names{{{FailureKind::crash, "crash"},
                                                             {FailureKind::timeout, "timeout"},
                                                             {FailureKind::oom, "oom"},
                                                             {FailureKind::error, "error"}}};
constexpr sys::EnumNames<BackendKind, 4> backend_kind_names{{{BackendKind::native, "native"},
                                                             {BackendKind::container, "container"},
                                                             {BackendKind::oci, "oci"},
                                                             {BackendKind::vm, "vm"}}};
constexpr sys::EnumNames<StartMode, 2> start_mode_names{{{StartMode::cold, "cold"}, {StartMode::warm, "warm"}}};
constexpr sys::EnumNames<Better, 2> better_names{{{Better::lower, "lower"}, {Better::higher, "higher"}}};

// Throws Error "unknown <what> 'text' (expected a, b or c)".
template <typename Enum, std::size_t Count>
Enum parse_name(const sys::EnumNames<Enum, Count>& names, std::string_view text, std::string_view what) {
  if (const auto value = sys::value_of(names, text)) return *value;
  throw sys::Error(fmt::format("unknown {} '{}' (expected {})", what, text, sys::names_listed(names)));
}

}  // namespace

std::string_view to_string(FailureKind kind) { return sys::name_of(failure_kind_names, kind); }
std::string_view to_string(BackendKind kind) { return sys::name_of(backend_kind_names, kind); }
std::string_view to_string(StartMode mode) { return sys::name_of(start_mode_names, mode); }
std::string_view to_string(Better better) { return sys::name_of(better_names, better); }

FailureKind parse_failure_kind(std::string_view text) { return parse_name(failure_kind_names, text, "failure kind"); }
BackendKind parse_backend_kind(std::string_view text) { return parse_name(backend_kind_names, text, "backend kind"); }
StartMode parse_start_mode(std::string_view text) { return parse_name(start_mode_names, text, "start mode"); }
Better parse_better(std::string_view text) { return parse_name(better_names, text, "direction"); }

}  // namespace benchrun::reports
