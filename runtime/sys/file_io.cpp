#include "runtime/sys/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "runtime/sys/error.hpp"
#include "runtime/sys/retry.hpp"
#include "runtime/sys/unique_fd.hpp"

namespace benchrun::sys {

namespace {

void write_all_once(const UniqueFd& fd, const std::filesystem::path& path, std::string_view content) {
  const auto written = retry_eintr([&] { return ::write(fd.get(), content.data(), content.size()); });
  if (written < 0) throw_errno("write " + path.string());
  if (static_cast<std::size_t>(written) != content.size()) throw Error("write " + path.string() + ": short write");
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

}  // namespace benchrun::sys
