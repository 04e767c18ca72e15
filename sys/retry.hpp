// Retries a system call interrupted by a signal (EINTR), as every blocking call here must.
#pragma once

#include <cerrno>

namespace benchrun::sys {

template <typename Call>
auto retry_eintr(Call&& call) {
  for (;;) {
    auto result = call();
    if (result != -1 || errno != EINTR) return result;
  }
}

}  // namespace benchrun::sys
