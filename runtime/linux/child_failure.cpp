#include "runtime/linux/child_failure.hpp"

#include <cerrno>
#include <cstdarg>
#include <cstdio>

namespace benchrun::runtime::kernel {

bool fail(ChildFailure& failure, const char* format, ...) noexcept {
  failure.errno_value = errno;
  va_list args;
  va_start(args, format);
  std::vsnprintf(failure.what, sizeof(failure.what), format, args);
  va_end(args);
  return false;
}

}  // namespace benchrun::runtime::kernel
