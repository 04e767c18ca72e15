// The one error type of benchrun: a message that reads as a chain of contexts, outermost first,
// e.g. "container benchrun-1a2b-0: cgroup memory: write memory.limit_in_bytes: EINVAL (Invalid argument)".
// Context is added to the caught error itself, which is then rethrown with `throw;`: a Timeout stays a
// Timeout, a SystemError keeps its errno, and a kind defined anywhere (UsageError, AcceleratorUnavailable)
// needs nothing of its own for that.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace benchrun::sys {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}

  // One more layer of context in front: "context: message". Kind and data stay: catch by reference,
  // add the context, `throw;`. (A copy thrown as `Error` would lose the kind.)
  void add_context(std::string_view context);
};

// An Error for a failed system call: "<what>: <ERRNO NAME> (<strerror>)". Keeps errno for callers
// that need to tell ENOENT from EPERM.
class SystemError : public Error {
 public:
  SystemError(int errno_value, std::string_view what);
  [[nodiscard]] int code() const noexcept { return errno_value_; }

 private:
  int errno_value_;
};

// "ENOENT (No such file or directory)"
std::string describe_errno(int errno_value);

// Throws SystemError(errno, what). For use right after a failed call.
[[noreturn]] void throw_errno(std::string_view what);

// Runs body; an Error thrown inside comes out with `context` in front of its message, still of its kind.
template <typename Body>
decltype(auto) with_context(std::string_view context, Body&& body) {
  try {
    return std::forward<Body>(body)();
  } catch (Error& error) {
    error.add_context(context);
    throw;
  }
}

}  // namespace benchrun::sys
