// The one argument every workload takes: a whole number in a range, or a one-line usage and exit 2.
// Header-only and libc-only, so each workload stays one static binary without dependencies.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace benchrun::workload {

constexpr int usage_status = 2;

// argv must be {name, NUMBER}; returns NUMBER if it lies in [minimum, maximum], else prints
// "usage: <usage>" on stderr and exits 2.
inline long long parse_single_count(int argc, char** argv, long long minimum, long long maximum, const char* usage) {
  if (argc == 2) {
    errno = 0;
    char* end = nullptr;
    long long value = std::strtoll(argv[1], &end, 10);
    if (errno == 0 && end != argv[1] && *end == '\0' && value >= minimum && value <= maximum) return value;
  }
  std::fprintf(stderr, "usage: %s (a whole number from %lld to %lld)\n", usage, minimum, maximum);
  std::exit(usage_status);
}

}  // namespace benchrun::workload
