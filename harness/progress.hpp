// One self-rewriting progress line (done/total, current case, ETA) when stdout is a terminal; silent otherwise.
#pragma once

#include <string>

#include "sys/clock.hpp"

namespace benchrun::harness {

class Progress {
 public:
  Progress(int total, bool enabled);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void start_case(const std::string& label);
  void finish_case();
  // Wipes the line so a following message starts on a clean line.
  void clear();

 private:
  void draw(const std::string& label);

  int total_;
  int done_ = 0;
  bool enabled_;
  sys::MonotonicNs started_at_;
  bool drawn_ = false;
};

}  // namespace benchrun::harness
