// How a workload reports a figure of its own (e.g. ops/s) to benchrun: one `name value unit lower|higher`
// line on the file descriptor benchinit names in BENCHRUN_METRICS_FD (the rules:
// protocol/workload_protocol.hpp). Outside benchinit there is no such variable and nothing is written.
// Header-only and libc-only, like every workload.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "protocol/workload_protocol.hpp"

namespace benchrun::workload {

enum class Better { lower, higher };

inline void report_metric(const char* name, double value, const char* unit, Better better) {
  const char* fd_text = std::getenv(protocol::metrics_fd_env);
  if (fd_text == nullptr) return;
  char* end = nullptr;
  const long fd = std::strtol(fd_text, &end, 10);
  if (end == fd_text || *end != '\0' || fd < 0) return;
  dprintf(static_cast<int>(fd), "%s %.17g %s %s\n", name, value, unit, better == Better::lower ? "lower" : "higher");
}

}  // namespace benchrun::workload
