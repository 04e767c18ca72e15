#include "runtime/loop_device.hpp"

#include <fcntl.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <sstream>
#include <vector>

#include "sys/error.hpp"
#include "sys/file_io.hpp"
#include "sys/process_alive.hpp"

namespace benchrun::runtime {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view folder_prefix = "benchrun-loop-";
// LOOP_CTL_GET_FREE then LOOP_CONFIGURE is a race with any other process doing the same: the loser gets
// EBUSY and asks for another free device.
constexpr int attach_attempts = 8;

using sys::process_alive;

// Unmounts every mount of device major:minor in this mount namespace (from /proc/self/mountinfo).
void unmount_device(std::uint32_t major, std::uint32_t minor) {
  std::istringstream mountinfo(sys::read_file("/proc/self/mountinfo"));
  const std::string wanted = fmt::format("{}:{}", major, minor);
  std::vector<std::string> mount_points;
  for (std::string line; std::getline(mountinfo, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, root_in_fs, mount_point;
    fields >> id >> parent >> device >> root_in_fs >> mount_point;
    if (device == wanted) mount_points.push_back(mount_point);
  }
  std::sort(mount_points.begin(), mount_points.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& mount_point : mount_points) {
    if (::umount2(mount_point.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      sys::throw_errno(fmt::format("umount {} (from loop device {})", mount_point, wanted));
  }
}

}  // namespace

LoopDevice LoopDevice::attach(const fs::path& backing_file) {
  const sys::UniqueFd backing(::open(backing_file.c_str(), O_RDWR | O_CLOEXEC));
  if (!backing) sys::throw_errno(fmt::format("loop device: open {}", backing_file.string()));
  const sys::UniqueFd control(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
  if (!control) sys::throw_errno("loop device: open /dev/loop-control (is the loop module loaded?)");
  for (int attempt = 0; attempt < attach_attempts; ++attempt) {
    const int number = ::ioctl(control.get(), LOOP_CTL_GET_FREE);
    if (number < 0) sys::throw_errno("loop device: LOOP_CTL_GET_FREE");
    LoopDevice device;
    device.path_ = fmt::format("/dev/loop{}", number);
    device.fd_.reset(::open(device.path_.c_str(), O_RDWR | O_CLOEXEC));
    if (!device.fd_) sys::throw_errno(fmt::format("loop device: open {}", device.path_.string()));
    loop_config config{};
    config.fd = static_cast<std::uint32_t>(backing.get());
    config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
    const std::string name = backing_file.string();
    std::memcpy(config.info.lo_file_name, name.data(), std::min<std::size_t>(name.size(), LO_NAME_SIZE - 1));
    if (::ioctl(device.fd_.get(), LOOP_CONFIGURE, &config) != 0) {
      if (errno == EBUSY) {
        device.fd_.reset();  // taken meanwhile by someone else: not ours to detach
        continue;
      }
      const int error = errno;
      device.fd_.reset();
      throw sys::SystemError(error, fmt::format("loop device: LOOP_CONFIGURE {} over {}", device.path_.string(), name));
    }
    struct stat info {};
    if (::fstat(device.fd_.get(), &info) != 0) {
      const int error = errno;
      device.detach();
      throw sys::SystemError(error, fmt::format("loop device: fstat {}", device.path_.string()));
    }
    device.major_ = ::major(info.st_rdev);
    device.minor_ = ::minor(info.st_rdev);
    return device;
  }
  throw sys::Error(
      fmt::format("loop device: every free device was taken by another process {} times in a row", attach_attempts));
}

LoopDevice& LoopDevice::operator=(LoopDevice&& other) noexcept {
  if (this != &other) {
    try {
      detach();
    } catch (...) {  // autoclear detaches it when its last user goes
    }
    fd_ = std::move(other.fd_);
    path_ = std::move(other.path_);
    major_ = other.major_;
    minor_ = other.minor_;
  }
  return *this;
}

LoopDevice::~LoopDevice() {
  try {
    detach();
  } catch (...) {  // autoclear detaches it when its last user goes; the sweep gets the rest
  }
}

void LoopDevice::detach() {
  if (!fd_) return;
  // ENXIO: already detached. A device still open elsewhere (a filesystem not yet unmounted) is marked
  // autoclear by the kernel instead, and goes when that user closes it.
  const bool failed = ::ioctl(fd_.get(), LOOP_CLR_FD) != 0 && errno != ENXIO;
  const int error = errno;
  fd_.reset();
  if (failed) throw sys::SystemError(error, fmt::format("loop device: LOOP_CLR_FD {}", path_.string()));
}

fs::path loop_folder(const fs::path& root, pid_t owner, const std::string& name) {
  return root / fmt::format("{}{}-{}", folder_prefix, owner, name);
}

std::optional<pid_t> loop_folder_owner(const fs::path& path_inside) {
  for (const auto& part : path_inside) {
    const std::string name = part.string();
    if (!name.starts_with(folder_prefix)) continue;
    const std::string_view rest = std::string_view(name).substr(folder_prefix.size());
    pid_t pid = 0;
    const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), pid);
    if (error == std::errc{} && end != rest.data() && end < rest.data() + rest.size() && *end == '-' && pid > 0)
      return pid;
  }
  return std::nullopt;
}

int sweep_loop_devices() {
  int detached = 0;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/sys/block", error)) {
    const std::string device = entry.path().filename().string();
    if (!device.starts_with("loop")) continue;
    const auto backing_text = sys::read_file_if_present(entry.path() / "loop" / "backing_file");
    if (!backing_text) continue;  // not attached
    std::string backing = *backing_text;
    while (!backing.empty() && backing.back() == '\n') backing.pop_back();
    constexpr std::string_view deleted = " (deleted)";
    if (backing.ends_with(deleted)) backing.resize(backing.size() - deleted.size());
    const auto owner = loop_folder_owner(backing);
    if (!owner || process_alive(*owner)) continue;
    const auto numbers = sys::read_file(entry.path() / "dev");  // "7:3\n"
    std::uint32_t major = 0;
    std::uint32_t minor = 0;
    if (std::sscanf(numbers.c_str(), "%u:%u", &major, &minor) != 2) continue;
    sys::with_context("sweep", [&] {
      unmount_device(major, minor);
      const fs::path node = fmt::format("/dev/{}", device);
      const sys::UniqueFd fd(::open(node.c_str(), O_RDWR | O_CLOEXEC));
      if (fd && ::ioctl(fd.get(), LOOP_CLR_FD) != 0 && errno != ENXIO)
        sys::throw_errno(fmt::format("LOOP_CLR_FD {} (backed by {})", node.string(), backing));
    });
    // The folder: the first benchrun-loop-<pid>-... component of the backing file's path.
    fs::path folder;
    for (const auto& part : fs::path(backing)) {
      folder /= part;
      if (part.string().starts_with(folder_prefix)) break;
    }
    std::error_code remove_error;
    fs::remove_all(folder, remove_error);
    ++detached;
  }
  return detached;
}

}  // namespace benchrun::runtime
