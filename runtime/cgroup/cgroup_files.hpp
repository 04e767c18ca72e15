// Reading and writing one cgroup's interface files, with the resource named in every error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace benchrun::runtime {

// write_file with "cgroup <resource>: " in front of any error.
void write_cgroup_file(std::string_view resource, const std::filesystem::path& path, std::string_view value);

// The file's content, or nullopt if it does not exist (a controller or kernel feature this host lacks).
std::optional<std::string> read_cgroup_file_if_exists(const std::filesystem::path& path);

// A one-number file ("123\n"); nullopt if absent or "max".
std::optional<std::uint64_t> read_cgroup_number(const std::filesystem::path& path);

// One key of a flat-keyed file ("nr_throttled 4"); nullopt if the file or the key is absent.
std::optional<std::uint64_t> read_cgroup_key(const std::filesystem::path& path, std::string_view key);

}  // namespace benchrun::runtime
