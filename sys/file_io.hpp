// Whole-file reads and writes: small kernel interface files (cgroupfs, procfs), and files benchrun keeps
// (reports, caches) replaced atomically. Errors name the file:
// "write /sys/fs/cgroup/memory/benchrun/x/memory.limit_in_bytes: EINVAL (Invalid argument)".
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace benchrun::sys {

// Writes `content` with a single write(2), as cgroupfs wants one value per write.
void write_file(const std::filesystem::path& path, std::string_view content);
// Creates `path` (mode 0644, must not exist) holding `content`.
void write_file_new(const std::filesystem::path& path, std::string_view content);
std::string read_file(const std::filesystem::path& path);
// nullopt when there is no such file (ENOENT; ENOTDIR: a part of the path is no directory), or it is a
// /proc file of a process that is gone (ESRCH); every other failure throws, as read_file.
std::optional<std::string> read_file_if_present(const std::filesystem::path& path);

// Writes every byte (retrying short writes and EINTR). Throws SystemError "write <what>: ...".
void write_all(int fd, std::string_view bytes, std::string_view what);

// Replaces `path` with `contents` so that a reader (or a crash) sees the old file or the new one, never a
// mix: a temp file in the same directory (rename is atomic only within one filesystem), fsync, rename over
// `path`, fsync of the directory so the rename itself survives a power cut. On failure the temp file is
// removed and `path` is untouched. Throws SystemError naming the step and the file.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

}  // namespace benchrun::sys
