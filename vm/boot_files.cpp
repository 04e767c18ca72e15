#include "vm/boot_files.hpp"

#include <fmt/format.h>

#include "sys/error.hpp"

namespace benchrun::vm {
namespace {

void require_file(const std::filesystem::path& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw sys::Error(fmt::format("{} is missing: run scripts/build-image.sh", path.string()));
  }
}

std::filesystem::path copy_into(const std::filesystem::path& source, const std::filesystem::path& dir) {
  const auto target = dir / source.filename();
  std::error_code error;
  // A copy, not a hardlink: chown on a hardlink would change the image's own file.
  std::filesystem::copy_file(source, target, std::filesystem::copy_options::overwrite_existing, error);
  if (error) throw sys::SystemError(error.value(), fmt::format("copy {} to {}", source.string(), target.string()));
  std::filesystem::permissions(target, std::filesystem::perms(0644), error);
  if (error) throw sys::SystemError(error.value(), fmt::format("chmod {}", target.string()));
  return target;
}

}  // namespace

BootFiles image_boot_files(const std::filesystem::path& image_dir) {
  BootFiles files{image_dir / "vmlinuz", image_dir / "initramfs.cpio"};
  require_file(files.kernel);
  require_file(files.initramfs);
  return files;
}

BootFiles stage_boot_files(const BootFiles& source, const std::filesystem::path& run_state_dir) {
  return sys::with_context("stage boot files", [&] {
    require_file(source.kernel);
    require_file(source.initramfs);
    const auto dir = run_state_dir / "boot";
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) throw sys::SystemError(error.value(), fmt::format("create {}", dir.string()));
    return BootFiles{copy_into(source.kernel, dir), copy_into(source.initramfs, dir)};
  });
}

}  // namespace benchrun::vm
