// Validating a JSON document against one of benchrun's JSON Schemas with an independent validator (Python's
// jsonschema, Debian python3-jsonschema), so a schema and the C++ writer cannot drift apart unnoticed.
#pragma once

#include <filesystem>
#include <string>

namespace benchrun::testing {

// "" when `document` validates against `schema`, else the validator's complaint. A missing validator is a complaint
// too (the test fails, never skips).
std::string schema_complaint(const std::filesystem::path& document, const std::filesystem::path& schema);

}  // namespace benchrun::testing
