// A cgroupfs stand-in in a temporary directory: tests create the files the kernel would, then read
// back what the cgroup code wrote. Removed with everything in it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace benchrun::runtime::testing {

class FakeCgroupTree {
 public:
  FakeCgroupTree();
  ~FakeCgroupTree();
  FakeCgroupTree(const FakeCgroupTree&) = delete;
  FakeCgroupTree& operator=(const FakeCgroupTree&) = delete;

  [[nodiscard]] const std::filesystem::path& root() const { return root_; }
  // Creates `relative` (and its directories) holding `content`.
  void write(const std::filesystem::path& relative, std::string_view content) const;
  [[nodiscard]] std::string read(const std::filesystem::path& relative) const;

 private:
  std::filesystem::path root_;
};

}  // namespace benchrun::runtime::testing
