#include "reports/samples_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "reports/json.hpp"
#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "sys/retry.hpp"

namespace benchrun::reports {

SamplesLog::SamplesLog(std::filesystem::path path) : path_(std::move(path)) {
  fd_ = sys::UniqueFd(
      sys::retry_eintr([&] { return ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644); }));
  if (!fd_) throw sys::SystemError(errno, fmt::format("samples log {}: open", path_.string()));
}

void SamplesLog::append(const Sample& sample) {
  sys::with_context(fmt::format("samples log {}", path_.string()), [&] {
    const std::string line = sample_to_json_line(sample) + "\n";
    sys::write_all(fd_.get(), line, "sample line");
    if (::fdatasync(fd_.get()) != 0) sys::throw_errno("fdatasync");
  });
}

SamplesLogContents read_samples_log(const std::filesystem::path& path) {
  return sys::with_context(fmt::format("samples log {}", path.string()), [&] {
    const std::string text = sys::read_file(path);
    SamplesLogContents contents;
    std::size_t line_start = 0;
    for (int line_number = 1; line_start < text.size(); ++line_number) {
      const std::size_t newline = text.find('\n', line_start);
      if (newline == std::string::npos) {
        contents.torn_last_line = true;
        break;
      }
      const std::string_view line(text.data() + line_start, newline - line_start);
      line_start = newline + 1;
      if (line.empty()) continue;
      contents.samples.push_back(
          sys::with_context(fmt::format("line {}", line_number), [&] { return parse_sample(line); }));
    }
    return contents;
  });
}

}  // namespace benchrun::reports
