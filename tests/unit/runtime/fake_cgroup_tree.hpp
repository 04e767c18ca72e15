// A cgroupfs stand-in in a temporary directory: tests create the files the kernel would, then read
// back what the cgroup code wrote. Removed with everything in it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/cgroup/cgroup.hpp"
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

// A test on a fake cgroupfs: create_on() lays it out as a host of `mode` and makes the instance's cgroup.
class FakeCgroupTest : public ::testing::Test {
 protected:
  std::unique_ptr<Cgroup> create_on(CgroupMode mode, void (*populate)(const FakeCgroupTree&), std::string_view name) {
    populate(tree_);
    return create_cgroup(mode, tree_.root(), std::string(name));
  }

  // The message of the Error applying `limits` must throw.
  static std::string apply_failure(Cgroup& cgroup, const ResourceLimits& limits);

  const FakeCgroupTree tree_;
};

// One of each limit (memory, cpu quota and weight, pids, cpuset, io on disk 8:0): the v1 and the v2 test
// apply the same limits and each checks its own files.
ResourceLimits one_of_each_limit();

}  // namespace benchrun::runtime::testing
