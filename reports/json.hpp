// The Report model <-> JSON text, in the shape schema/report.schema.json describes ("benchrun.report/2").
// Reading checks required keys and types (errors name the key path); it does not reject unknown keys: the
// schema does. A "benchrun.report/1" document reads as v2 (see reports/report_v1.hpp); writing is v2 only.
#pragma once

#include <string>
#include <string_view>

#include "reports/model.hpp"
#include "sys/error.hpp"

namespace benchrun::reports {

// A report of a schema version this benchrun does not read; the message names the version and the fix.
class UnknownSchemaVersion : public sys::Error {
 public:
  using sys::Error::Error;
};

// Pretty-printed (2-space) JSON text of a report, ending in a newline. Throws Error when a sample's metric
// or phase is not finite (JSON has no NaN; the schema wants numbers).
std::string report_to_json_text(const Report& report);
// The reader's one entry point, pure (no I/O). Throws Error with the reason: not JSON, not a report, a
// missing or mistyped key; UnknownSchemaVersion for a version other than /1 and /2.
Report parse_report(std::string_view text);
// One compact line of JSON (no newline): the samples.jsonl form. Throws Error like report_to_json_text.
std::string sample_to_json_line(const Sample& sample);
// Throws Error with the reason.
Sample parse_sample(std::string_view text);
// The JSON object of benchinit's `BENCHRUN RESULT` line (protocol/workload_protocol.hpp). Throws Error.
WorkloadResult parse_workload_result(std::string_view text);

}  // namespace benchrun::reports
