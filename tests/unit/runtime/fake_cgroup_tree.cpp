#include "fake_cgroup_tree.hpp"

#include <fstream>
#include <stdexcept>

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

}  // namespace benchrun::runtime::testing
