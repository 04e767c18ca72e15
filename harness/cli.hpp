// The command line: flags -> validated options, one parser for every subcommand.
#pragma once

#include <variant>

#include "harness/options.hpp"

namespace benchrun::harness {

struct DoctorCommand {
  std::string libvirt_uri;
  ImageChoice image;
};
struct CleanupCommand {
  std::string libvirt_uri;
};
struct ExitNow {
  int code = 0;  // --help / --version were printed
};

using Command = std::variant<SuiteOptions, RunOptions, DoctorCommand, CleanupCommand, ExitNow>;

// Throws UsageError on bad input (the caller prints it as one line and exits 2).
Command parse_command_line(int argc, char** argv);

class UsageError : public Error {
 public:
  using Error::Error;
};

// Suites this build can run, and backends it knows.
const std::vector<std::string>& known_suites();
const std::vector<std::string>& known_backends();

}  // namespace benchrun::harness
