// Exports of a report in formats other tools already ingest, each chosen by `--export KIND:FILE`:
//   gbench         Google Benchmark's JSON (its tools/compare.py compares two of them)
//   github-action  the customSmallerIsBetter input of the common GitHub benchmark action
//   markdown       the summary table as a Markdown table, e.g. for a CI comment
//   csv            one row per measured sample and metric (RFC 4180)
// Each renderer turns a Report into text; write_export writes it atomically (temp file + rename).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::reports {

enum class ExportKind { gbench, github_action, markdown, csv };

struct ExportSpec {
  ExportKind kind = ExportKind::csv;
  std::filesystem::path file;
};

// What a renderer made: the file's text and what it had to leave out (one line each).
struct RenderedExport {
  std::string text;
  std::vector<std::string> warnings;
};

std::string_view to_string(ExportKind kind);

// "csv:out.csv" -> {csv, "out.csv"}. Throws Error naming the spec and the kinds on anything else.
ExportSpec parse_export_spec(std::string_view spec);

RenderedExport render_gbench(const Report& report);
RenderedExport render_github_action(const Report& report);
RenderedExport render_markdown(const Report& report);
RenderedExport render_csv(const Report& report);

RenderedExport render_export(const Report& report, ExportKind kind);

// Renders and writes spec.file; returns the renderer's warnings. Throws Error naming the file.
std::vector<std::string> write_export(const Report& report, const ExportSpec& spec);

}  // namespace benchrun::reports
