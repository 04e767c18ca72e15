// Whole-file reads and writes for small kernel interface files (cgroupfs, procfs). Errors name the file:
// "write /sys/fs/cgroup/memory/benchrun/x/memory.limit_in_bytes: EINVAL (Invalid argument)".
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace benchrun::sys {

// Writes `content` with a single write(2), as cgroupfs wants one value per write.
void write_file(const std::filesystem::path& path, std::string_view content);
// Creates `path` (mode 0644, must not exist) holding `content`.
void write_file_new(const std::filesystem::path& path, std::string_view content);
std::string read_file(const std::filesystem::path& path);

}  // namespace benchrun::sys
