#include "fake_cgroup_tree.hpp"

#include <fstream>
#include <stdexcept>

#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::runtime::testing {

void FakeCgroupTree::write(const std::filesystem::path& relative, std::string_view content) const {
  const auto path = root() / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream file(path, std::ios::trunc);
  file << content;
  if (!file) throw std::runtime_error("fake cgroup tree: cannot write " + path.string());
}

std::string FakeCgroupTree::read(const std::filesystem::path& relative) const {
  return sys::read_file(root() / relative);
}

std::string FakeCgroupTest::apply_failure(Cgroup& cgroup, const ResourceLimits& limits) {
  try {
    cgroup.apply(limits);
  } catch (const sys::Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "the limits were applied";
  return {};
}

ResourceLimits one_of_each_limit() {
  ResourceLimits limits;
  limits.memory_bytes = 64ull << 20;
  limits.cpus = 1.5;
  limits.cpu_weight = 100;
  limits.pids_max = 16;
  limits.cpuset_cpus = "1";
  IoDeviceLimit disk;
  disk.major = 8;
  disk.minor = 0;
  disk.read_bps = 1'000'000;
  disk.write_iops = 50;
  limits.io.push_back(disk);
  return limits;
}

}  // namespace benchrun::runtime::testing
