// Suites by name: the CLI (--suite, --help, the cases it builds) and the suite command read this table.
// Adding a suite is one file in harness/suites/ and one line in registry.cpp.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/options.hpp"
#include "harness/suite.hpp"
#include "reports/model.hpp"

namespace benchrun::harness {

// What the command line says about the cases: --workload (split into words) and the limit flags.
struct CaseFlags {
  std::vector<std::string> workload_words;
  reports::Limits limits;
  OverheadOptions overhead;              // --groups, --tool, --full, --disk-size (the overhead suite)
  std::vector<std::string> observers{};  // --observer (the limits suite): independent tools whose checks run too
};

struct SuiteEntry {
  std::string_view name;
  std::string_view help;  // one line: the question the suite answers
  // The cases a run measures, from the flags; throws Error on flags the suite cannot take.
  std::vector<reports::Case> (*cases)(const CaseFlags& flags);
  Step (*make_step)(const SuiteOptions& options);
  // What a run repeats when --runs, --warmup and --start are not given: startup samples many short
  // instances; density's one step already holds hundreds, so once, without warm-up.
  int default_runs = 10;
  int default_warmup = 1;
  std::string_view default_start = "both";
};

std::span<const SuiteEntry> suite_registry();
// nullptr when no suite has that name.
const SuiteEntry* find_suite(std::string_view name);

}  // namespace benchrun::harness
