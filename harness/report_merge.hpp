// Many hosts' reports of one suite as one report (`benchrun merge`): every backend, sample, verdict and series
// is qualified by the host it ran on ("lab1/container"), every host's environment is kept, and the summaries
// are computed again from the samples, so each ratio to native is against the native of the same host.
#pragma once

#include <string>
#include <vector>

#include "reports/model.hpp"

namespace benchrun::harness {

// One report to merge.
struct MergeInput {
  std::string source;  // where it came from, for messages (e.g. its file name)
  reports::Report report;
  // The host name that qualifies its backends; empty: its Environment.hostname. A report merged already keeps
  // its hosts' names, so it takes no name here.
  std::string host;
};

// The reports as one, in the order given. Options come from the first report, except that backends, cases
// and start modes are the union of all; a case of the same name defined otherwise, or runs, warm-up or timeout
// that differ, keep the first's and add a line to `warnings`. Errors and warnings of each host are kept,
// prefixed "<host>: ". The monotonic sample times stay as measured: they are comparable within a host only.
// Throws Error naming the input for: suites that differ, a host name twice (two runs of one host: name them),
// a host name that is empty or holds '/', a name given to a report that is merged already.
reports::Report merge_reports(std::vector<MergeInput> inputs);

}  // namespace benchrun::harness
