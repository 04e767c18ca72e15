#include "fake_cgroup_tree.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace benchrun::runtime::testing {

FakeCgroupTree::FakeCgroupTree() {
  static std::atomic<int> counter{0};
  root_ = std::filesystem::temp_directory_path() /
          ("benchrun-fake-cgroup-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(root_);
}

FakeCgroupTree::~FakeCgroupTree() {
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

void FakeCgroupTree::write(const std::filesystem::path& relative, std::string_view content) const {
  const auto path = root_ / relative;
  std::filesystem::create_directories(path.parent_path());
  std::ofstream file(path, std::ios::trunc);
  file << content;
  if (!file) throw std::runtime_error("fake cgroup tree: cannot write " + path.string());
}

std::string FakeCgroupTree::read(const std::filesystem::path& relative) const {
  std::ifstream file(root_ / relative);
  if (!file) throw std::runtime_error("fake cgroup tree: no " + (root_ / relative).string());
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

}  // namespace benchrun::runtime::testing
