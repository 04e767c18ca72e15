// A cgroupfs stand-in in a temporary directory: tests create the files the kernel would, then read
// back what the cgroup code wrote. Removed with everything in it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "tests/support/temp_dir.hpp"

namespace benchrun::runtime::testing {

class FakeCgroupTree {
 public:
  [[nodiscard]] const std::filesystem::path& root() const { return temp_dir_.path(); }
  // Creates `relative` (and its directories) holding `content`.
  void write(const std::filesystem::path& relative, std::string_view content) const;
  [[nodiscard]] std::string read(const std::filesystem::path& relative) const;

 private:
  benchrun::testing::TempDir temp_dir_{"benchrun-fake-cgroup"};
};

}  // namespace benchrun::runtime::testing
