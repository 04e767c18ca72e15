#include "sys/file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <vector>

#include "sys/error.hpp"
#include "sys/retry.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::sys {

namespace {

void write_all_once(const UniqueFd& fd, const std::filesystem::path& path, std::string_view content) {
  const auto written = retry_eintr([&] { return ::write(fd.get(), content.data(), content.size()); });
  if (written < 0) throw_errno("write " + path.string());
  if (static_cast<std::size_t>(written) != content.size()) throw Error("write " + path.string() + ": short write");
}

// Unlinks the temp file unless the rename took it over; never throws.
class TempFileGuard {
 public:
  explicit TempFileGuard(std::string path) : path_(std::move(path)) {}
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  ~TempFileGuard() {
    if (!committed_) ::unlink(path_.c_str());
  }
  void commit() noexcept { committed_ = true; }

 private:
  std::string path_;
  bool committed_ = false;
};

std::filesystem::path directory_of(const std::filesystem::path& path) {
  const auto parent = path.parent_path();
  return parent.empty() ? std::filesystem::path(".") : parent;
}

}  // namespace

void write_file(const std::filesystem::path& path, std::string_view content) {
  // O_TRUNC matters for plain files (fake trees in tests); cgroupfs ignores it.
  UniqueFd fd(retry_eintr([&] { return ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC); }));
  if (!fd) throw_errno("write " + path.string());
  write_all_once(fd, path, content);
}

void write_file_new(const std::filesystem::path& path, std::string_view content) {
  UniqueFd fd(retry_eintr([&] { return ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644); }));
  if (!fd) throw_errno("create " + path.string());
  write_all_once(fd, path, content);
}

std::string read_file(const std::filesystem::path& path) {
  UniqueFd fd(retry_eintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); }));
  if (!fd) throw_errno("read " + path.string());
  std::string content;
  char buffer[4096];
  for (;;) {
    const auto got = retry_eintr([&] { return ::read(fd.get(), buffer, sizeof(buffer)); });
    if (got < 0) throw_errno("read " + path.string());
    if (got == 0) return content;
    content.append(buffer, static_cast<std::size_t>(got));
  }
}

std::optional<std::string> read_file_if_present(const std::filesystem::path& path) {
  try {
    return read_file(path);
  } catch (const SystemError& error) {
    if (error.code() == ENOENT || error.code() == ENOTDIR || error.code() == ESRCH) return std::nullopt;
    throw;
  }
}

void write_all(int fd, std::string_view bytes, std::string_view what) {
  while (!bytes.empty()) {
    const ssize_t written = retry_eintr([&] { return ::write(fd, bytes.data(), bytes.size()); });
    if (written < 0) throw_errno(fmt::format("write {}", what));
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  const std::filesystem::path directory = directory_of(path);
  // Hidden, and named after its target, so a leftover of a killed process is easy to attribute.
  std::string temp_path = (directory / fmt::format(".{}.tmp-XXXXXX", path.filename().string())).string();
  std::vector<char> template_buffer(temp_path.begin(), temp_path.end());
  template_buffer.push_back('\0');
  UniqueFd fd(::mkostemp(template_buffer.data(), O_CLOEXEC));
  if (!fd) throw_errno(fmt::format("create temp file in {}", directory.string()));
  temp_path.assign(template_buffer.data());
  TempFileGuard guard(temp_path);

  write_all(fd.get(), contents, temp_path);
  // mkostemp creates 0600; a report is for everyone on the machine to read.
  if (::fchmod(fd.get(), 0644) != 0) throw_errno(fmt::format("chmod {}", temp_path));
  if (::fsync(fd.get()) != 0) throw_errno(fmt::format("fsync {}", temp_path));
  with_context(temp_path, [&] { fd.close(); });
  if (::rename(temp_path.c_str(), path.c_str()) != 0) {
    throw_errno(fmt::format("rename {} to {}", temp_path, path.string()));
  }
  guard.commit();

  const UniqueFd directory_fd(
      retry_eintr([&] { return ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); }));
  if (!directory_fd) throw_errno(fmt::format("open directory {}", directory.string()));
  if (::fsync(directory_fd.get()) != 0) throw_errno(fmt::format("fsync directory {}", directory.string()));
}

}  // namespace benchrun::sys
