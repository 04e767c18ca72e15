#include "runtime/cgroup/cgroup_files.hpp"

#include "runtime/cgroup/conversions.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"

namespace benchrun::runtime {

void write_cgroup_file(std::string_view resource, const std::filesystem::path& path, std::string_view value) {
  sys::with_context("cgroup " + std::string(resource), [&] { sys::write_file(path, value); });
}

std::optional<std::string> read_cgroup_file_if_exists(const std::filesystem::path& path) {
  try {
    return sys::read_file(path);
  } catch (const sys::SystemError& error) {
    if (error.code() == ENOENT) return std::nullopt;
    throw;
  }
}

std::optional<std::uint64_t> read_cgroup_number(const std::filesystem::path& path) {
  const auto content = read_cgroup_file_if_exists(path);
  if (!content) return std::nullopt;
  return sys::with_context("read " + path.string(), [&] { return parse_single_value(*content); });
}

std::optional<std::uint64_t> read_cgroup_key(const std::filesystem::path& path, std::string_view key) {
  const auto content = read_cgroup_file_if_exists(path);
  if (!content) return std::nullopt;
  return find_keyed_value(*content, key);
}

}  // namespace benchrun::runtime
