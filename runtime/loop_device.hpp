// A loop device over a file on the host's disk, owned: the block device a check throttles (the limits suite's
// I/O checks). Attached with LOOP_CTL_GET_FREE + LOOP_CONFIGURE, detached (LOOP_CLR_FD) by detach() or,
// silently, by the destructor. LO_FLAGS_AUTOCLEAR is set as well, so the device of a benchrun killed with
// SIGKILL detaches itself once nothing holds it any more (its filesystem unmounted by the sweep).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "sys/unique_fd.hpp"

namespace benchrun::runtime {

class LoopDevice {
 public:
  // Attaches a free loop device to `backing_file` (read-write). Throws naming the device or the file.
  static LoopDevice attach(const std::filesystem::path& backing_file);

  LoopDevice() = default;
  LoopDevice(LoopDevice&& other) noexcept = default;
  LoopDevice& operator=(LoopDevice&& other) noexcept;
  LoopDevice(const LoopDevice&) = delete;
  LoopDevice& operator=(const LoopDevice&) = delete;
  ~LoopDevice();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }  // /dev/loopN
  [[nodiscard]] std::uint32_t major() const noexcept { return major_; }
  [[nodiscard]] std::uint32_t minor() const noexcept { return minor_; }
  [[nodiscard]] bool attached() const noexcept { return fd_.valid(); }

  // LOOP_CLR_FD and close. Idempotent; throws when the kernel refuses (a device still open elsewhere is
  // detached by the kernel when its last user closes it: no failure).
  void detach();

 private:
  sys::UniqueFd fd_;
  std::filesystem::path path_;
  std::uint32_t major_ = 0;
  std::uint32_t minor_ = 0;
};

// The folder benchrun keeps a loop device's backing file in: <root>/benchrun-loop-<pid>-<name>. The sweep
// knows a leftover by it: the pid is the benchrun that made it, and it is a leftover once that pid is gone.
std::filesystem::path loop_folder(const std::filesystem::path& root, pid_t owner, const std::string& name);
// The owner pid of a path inside such a folder (the backing file, as /sys/block/loopN/loop/backing_file
// shows it), nullopt for any other path.
std::optional<pid_t> loop_folder_owner(const std::filesystem::path& path_inside);

// Detaches every loop device whose backing file lies in a loop_folder() of a benchrun that is gone: first
// unmounts what is mounted from it in this mount namespace, then LOOP_CLR_FD, then removes the folder.
// Returns how many devices it detached.
int sweep_loop_devices();

}  // namespace benchrun::runtime
