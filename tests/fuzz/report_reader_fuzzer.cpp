// Reports and samples are read from files that come from other machines (a baseline for compare, a
// samples.jsonl to resume from): arbitrary bytes must give a report or a sys::Error, never a crash, a
// sanitizer finding or another kind of exception. A report that reads must also write and read back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "reports/json.hpp"
#include "sys/error.hpp"

namespace {

void read_write_read(std::string_view text) {
  using namespace benchrun::reports;
  Report report;
  try {
    report = parse_report(text);
  } catch (const benchrun::sys::Error&) {
    return;
  }
  // What was read is written and read again without an error: its numbers and strings were taken whole.
  (void)parse_report(report_to_json_text(report));
}

void read_sample(std::string_view text) {
  using namespace benchrun::reports;
  try {
    const Sample sample = parse_sample(text);
    (void)parse_sample(sample_to_json_line(sample));
  } catch (const benchrun::sys::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  read_write_read(text);
  read_sample(text);
  return 0;
}
