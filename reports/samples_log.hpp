// results/<run>/samples.jsonl: one Sample per line, appended the moment it is measured and synced to
// disk before the run goes on, so a crash, a kill or a power cut keeps every sample taken so far.
#pragma once

#include <filesystem>
#include <vector>

#include "reports/model.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::reports {

class SamplesLog {
 public:
  // Opens `path` for appending, creating it (0644) when missing. Throws Error "samples log <path>: ...".
  explicit SamplesLog(std::filesystem::path path);

  // Writes the sample as one JSON line with a single O_APPEND write, then fdatasync. One sync per line
  // costs about a millisecond on a disk, negligible next to a launch (ms to s); the durability is worth it.
  // Throws Error; a failed append may leave a torn last line, which read_samples_log tolerates.
  void append(const Sample& sample);

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
  sys::UniqueFd fd_;
};

struct SamplesLogContents {
  std::vector<Sample> samples;
  // The last line had no newline: the writer died mid-line. Its bytes are not a sample and are skipped.
  bool torn_last_line = false;
};

// Reads every sample back. A malformed complete line is an error (Error names the line number); only an
// unterminated last line is forgiven (see torn_last_line).
SamplesLogContents read_samples_log(const std::filesystem::path& path);

}  // namespace benchrun::reports
