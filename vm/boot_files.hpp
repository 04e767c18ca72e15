// The kernel and initramfs a run's guests boot from. libvirt's DAC driver chowns the files a domain uses
// to the QEMU user while it runs, so guests never boot from the image itself but from copies in the run's
// state dir, made once per run and shared by all its guests.
#pragma once

#include <filesystem>

namespace benchrun::vm {

struct BootFiles {
  std::filesystem::path kernel;
  std::filesystem::path initramfs;
};

// images/<name>/vmlinuz and images/<name>/initramfs.cpio; throws "... missing: run scripts/build-image.sh".
BootFiles image_boot_files(const std::filesystem::path& image_dir);

// Copies both into `run_state_dir/boot/` (0644) and returns the copies.
BootFiles stage_boot_files(const BootFiles& source, const std::filesystem::path& run_state_dir);

}  // namespace benchrun::vm
