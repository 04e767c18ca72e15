#include "reports/export/export.hpp"

#include <fmt/format.h>
#include <array>
#include <utility>

#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::reports {
namespace {

constexpr std::array<std::pair<std::string_view, ExportKind>, 4> export_kinds{{
    {"gbench", ExportKind::gbench},
    {"github-action", ExportKind::github_action},
    {"markdown", ExportKind::markdown},
    {"csv", ExportKind::csv},
}};

std::string kind_names() {
  std::string names;
  for (const auto& [name, kind] : export_kinds) names += fmt::format("{}{}", names.empty() ? "" : ", ", name);
  return names;
}

}  // namespace

std::string_view to_string(ExportKind kind) {
  for (const auto& [name, known] : export_kinds) {
    if (known == kind) return name;
  }
  return "unknown";
}

ExportSpec parse_export_spec(std::string_view spec) {
  const auto colon = spec.find(':');
  const std::string_view name = spec.substr(0, colon);
  if (colon == std::string_view::npos || colon + 1 == spec.size()) {
    throw sys::Error(fmt::format("export '{}': expected KIND:FILE with KIND one of {}", spec, kind_names()));
  }
  for (const auto& [known, kind] : export_kinds) {
    if (known == name) return ExportSpec{kind, std::filesystem::path(spec.substr(colon + 1))};
  }
  throw sys::Error(fmt::format("export '{}': unknown kind '{}': choose one of {}", spec, name, kind_names()));
}

RenderedExport render_export(const Report& report, ExportKind kind) {
  switch (kind) {
    case ExportKind::gbench:
      return render_gbench(report);
    case ExportKind::github_action:
      return render_github_action(report);
    case ExportKind::markdown:
      return render_markdown(report);
    case ExportKind::csv:
      return render_csv(report);
  }
  throw sys::Error(fmt::format("export kind {} has no renderer", static_cast<int>(kind)));
}

std::vector<std::string> write_export(const Report& report, const ExportSpec& spec) {
  return sys::with_context(fmt::format("export {} to {}", to_string(spec.kind), spec.file.string()), [&] {
    RenderedExport rendered = render_export(report, spec.kind);
    sys::write_file_atomically(spec.file, rendered.text);
    return std::move(rendered.warnings);
  });
}

}  // namespace benchrun::reports
