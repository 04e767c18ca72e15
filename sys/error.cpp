#include "sys/error.hpp"

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

namespace benchrun::sys {

void Error::add_context(std::string_view context) {
  // The message lives in the runtime_error base (its copies never throw, as an exception's must): replace it.
  static_cast<std::runtime_error&>(*this) = std::runtime_error(fmt::format("{}: {}", context, what()));
}

std::string describe_errno(int errno_value) {
  const char* name = strerrorname_np(errno_value);
  return fmt::format("{} ({})", name != nullptr ? name : "E?", std::strerror(errno_value));
}

SystemError::SystemError(int errno_value, std::string_view what)
    : Error(fmt::format("{}: {}", what, describe_errno(errno_value))), errno_value_(errno_value) {}

void throw_errno(std::string_view what) { throw SystemError(errno, what); }

}  // namespace benchrun::sys
