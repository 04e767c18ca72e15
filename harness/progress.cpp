#include "harness/progress.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <cstdio>

namespace benchrun::harness {

Progress::Progress(int total, bool enabled)
    : total_(total), enabled_(enabled && ::isatty(STDOUT_FILENO) == 1), started_at_(sys::monotonic_now()) {}

Progress::~Progress() { clear(); }

void Progress::start_case(const std::string& label) { draw(label); }

void Progress::finish_case() { ++done_; }

void Progress::draw(const std::string& label) {
  if (!enabled_) return;
  std::string eta = "--:--";
  if (done_ > 0) {
    const double per_case_s = static_cast<double>(sys::monotonic_now() - started_at_) / 1e9 / done_;
    const auto left_s = static_cast<long>(per_case_s * (total_ - done_));
    eta = fmt::format("{}:{:02}", left_s / 60, left_s % 60);
  }
  fmt::print("\r\033[K[{}/{}] {}  ETA {}", done_, total_, label, eta);
  std::fflush(stdout);
  drawn_ = true;
}

void Progress::clear() {
  if (!drawn_) return;
  fmt::print("\r\033[K");
  std::fflush(stdout);
  drawn_ = false;
}

}  // namespace benchrun::harness
