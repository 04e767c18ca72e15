#include "sys/unique_fd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "sys/error.hpp"

namespace benchrun::sys {

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) ::close(fd_);  // close(2) must not be retried on EINTR on Linux.
  fd_ = fd;
}

void UniqueFd::close() {
  if (fd_ < 0) return;
  if (::close(release()) != 0 && errno != EINTR) throw_errno("close");
}

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace benchrun::sys
