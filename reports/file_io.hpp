// File primitives for exporters: write all bytes, replace a file atomically. (Reading: sys::read_file.)
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace benchrun::reports {


// Writes every byte (retrying short writes and EINTR). Throws SystemError "write <what>: ...".
void write_all(int fd, std::string_view bytes, std::string_view what);

// Replaces `path` with `contents` so that a reader (or a crash) sees the old file or the new one, never a
// mix: a temp file in the same directory (rename is atomic only within one filesystem), fsync, rename over
// `path`, fsync of the directory so the rename itself survives a power cut. On failure the temp file is
// removed and `path` is untouched. Throws SystemError naming the step and the file.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

}  // namespace benchrun::reports
