#include "vm/emulator_wrapper.hpp"

#include <sys/stat.h>

#include <fmt/format.h>
#include <charconv>
#include <string_view>

#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "vm/qemu_wrapper/qemu_exec_stamp.hpp"

namespace benchrun::vm {

std::filesystem::path stage_emulator_wrapper(const std::filesystem::path& wrapper,
                                             const std::filesystem::path& state_dir) {
  return sys::with_context(fmt::format("stage emulator wrapper {}", wrapper.string()), [&] {
    const auto staged = state_dir / "bin" / emulator_wrapper_name;
    const std::string content = sys::read_file(wrapper);
    std::error_code missing;
    if (std::filesystem::exists(staged, missing) && sys::read_file(staged) == content) return staged;
    std::filesystem::create_directories(staged.parent_path());
    sys::write_file_atomically(staged, content);
    if (::chmod(staged.c_str(), 0755) != 0) sys::throw_errno(fmt::format("chmod {}", staged.string()));
    return staged;
  });
}

std::optional<sys::MonotonicNs> read_qemu_exec_stamp(const std::filesystem::path& embed_root, const std::string& name) {
  std::string log;
  try {
    log = sys::read_file(embed_root / "log" / "qemu" / (name + ".log"));
  } catch (const sys::Error&) {
    return std::nullopt;
  }
  const std::string_view prefix = qemu_exec_stamp_prefix;
  const auto at = log.rfind(prefix);
  if (at == std::string::npos) return std::nullopt;
  const char* begin = log.data() + at + prefix.size();
  sys::MonotonicNs stamp = 0;
  const auto [end, error] = std::from_chars(begin, log.data() + log.size(), stamp);
  if (error != std::errc() || end == begin || end == log.data() + log.size() || *end != '\n') return std::nullopt;
  return stamp;
}

}  // namespace benchrun::vm
