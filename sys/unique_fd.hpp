// A file descriptor with one owner: closed when the owner goes away, never twice.
#pragma once

#include <utility>

namespace benchrun::sys {

class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Gives the descriptor away; this object is empty afterwards.
  int release() noexcept { return std::exchange(fd_, -1); }
  // Closes the current descriptor (errors ignored) and takes `fd`.
  void reset(int fd = -1) noexcept;
  // Closes and reports a failure (EIO on a close matters for files written).
  void close();

 private:
  int fd_ = -1;
};

// Both ends of a pipe(2), O_CLOEXEC.
struct Pipe {
  UniqueFd read_end;
  UniqueFd write_end;
};
Pipe make_pipe();

}  // namespace benchrun::sys
