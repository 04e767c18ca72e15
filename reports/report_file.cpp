#include "reports/report_file.hpp"

#include <fmt/format.h>

#include "reports/json.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::reports {

void write_report_atomically(const Report& report, const std::filesystem::path& path) {
  sys::with_context(fmt::format("write report {}", path.string()),
                    [&] { sys::write_file_atomically(path, report_to_json_text(report)); });
}

Report read_report_file(const std::filesystem::path& path) {
  return sys::with_context(fmt::format("read report {}", path.string()),
                           [&] { return parse_report(sys::read_file(path)); });
}

}  // namespace benchrun::reports
