#include "reports/model.hpp"

#include <fmt/format.h>

#include "sys/error.hpp"

namespace benchrun::reports {

std::string_view to_string(FailureKind kind) {
  switch (kind) {
    case FailureKind::crash:
      return "crash";
    case FailureKind::timeout:
      return "timeout";
    case FailureKind::oom:
      return "oom";
    case FailureKind::error:
      return "error";
  }
  return "error";
}

std::string_view to_string(BackendKind kind) {
  switch (kind) {
    case BackendKind::native:
      return "native";
    case BackendKind::container:
      return "container";
    case BackendKind::oci:
      return "oci";
    case BackendKind::vm:
      return "vm";
  }
  return "native";
}

std::string_view to_string(StartMode mode) { return mode == StartMode::cold ? "cold" : "warm"; }

std::string_view to_string(Better better) { return better == Better::lower ? "lower" : "higher"; }

FailureKind parse_failure_kind(std::string_view text) {
  for (const auto kind : {FailureKind::crash, FailureKind::timeout, FailureKind::oom, FailureKind::error}) {
    if (to_string(kind) == text) return kind;
  }
  throw sys::Error(fmt::format("unknown failure kind '{}' (expected crash, timeout, oom or error)", text));
}

BackendKind parse_backend_kind(std::string_view text) {
  for (const auto kind : {BackendKind::native, BackendKind::container, BackendKind::oci, BackendKind::vm}) {
    if (to_string(kind) == text) return kind;
  }
  throw sys::Error(fmt::format("unknown backend kind '{}' (expected native, container, oci or vm)", text));
}

StartMode parse_start_mode(std::string_view text) {
  for (const auto mode : {StartMode::cold, StartMode::warm}) {
    if (to_string(mode) == text) return mode;
  }
  throw sys::Error(fmt::format("unknown start mode '{}' (expected cold or warm)", text));
}

Better parse_better(std::string_view text) {
  for (const auto better : {Better::lower, Better::higher}) {
    if (to_string(better) == text) return better;
  }
  throw sys::Error(fmt::format("unknown direction '{}' (expected lower or higher)", text));
}

std::string unit_of_metric(std::string_view metric) {
  static constexpr std::pair<std::string_view, std::string_view> suffixes[] = {
      {"_ms", "ms"}, {"_mib", "MiB"}, {"_bytes", "bytes"}, {"_us", "us"}, {"_ns", "ns"}, {"_pct", "%"}};
  for (const auto& [suffix, unit] : suffixes) {
    if (metric.ends_with(suffix)) return std::string(unit);
  }
  return "count";
}

}  // namespace benchrun::reports
