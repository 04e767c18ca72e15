// Writing and reading report.json. The file is replaced atomically, so it always holds a whole report:
// the previous one or the new one.
#pragma once

#include <filesystem>

#include "reports/model.hpp"

namespace benchrun::reports {

// Serializes first (a report that cannot be serialized creates no file), then write_file_atomically.
// Throws Error "write report <path>: <step>: <errno>".
void write_report_atomically(const Report& report, const std::filesystem::path& path);

// Throws Error "read report <path>: ...".
Report read_report_file(const std::filesystem::path& path);

}  // namespace benchrun::reports
