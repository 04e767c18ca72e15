#include "tests/support/json_schema.hpp"

#include "tests/support/run_command.hpp"

namespace benchrun::testing {

std::string schema_complaint(const std::filesystem::path& document, const std::filesystem::path& schema) {
  const CommandResult validator =
      run_command({"/usr/bin/python3", "-c",
                   "import json, sys, jsonschema\n"
                   "jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))\n",
                   schema.string(), document.string()});
  return validator.exit_code == 0 ? "" : validator.out + " (needs python3-jsonschema: scripts/setup.sh)";
}

}  // namespace benchrun::testing
