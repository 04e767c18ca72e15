#include "runtime/linux/rootfs.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "sys/error.hpp"
#include "sys/syscalls.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::runtime::kernel {

namespace {

constexpr std::uint64_t in_root = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

// "/proc/self/fd/N": mounting on it mounts on what N was opened as, not on whatever the name now says.
struct FdPath {
  char text[32];
  explicit FdPath(int fd) noexcept { std::snprintf(text, sizeof(text), "/proc/self/fd/%d", fd); }
};

// An O_PATH handle on directory `name` inside `root_fd`, resolved as if root_fd were "/". A top-level
// directory the image lacks is created (one component, so mkdirat follows no symlink).
int open_dir_in_root(int root_fd, const char* name) noexcept {
  int fd = sys::openat2(root_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC, in_root);
  if (fd < 0 && errno == ENOENT && ::mkdirat(root_fd, name, 0755) == 0) {
    fd = sys::openat2(root_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC, in_root);
  }
  return fd;
}

bool mount_in_root(int root_fd, const char* target, const char* source, const char* type, unsigned long flags,
                   const char* data, const RootfsPlan& plan, ChildFailure& failure) noexcept {
  const sys::UniqueFd target_fd(open_dir_in_root(root_fd, target));
  if (target_fd.get() < 0) return fail(failure, "open /%s in %s", target, plan.merged_dir.c_str());
  if (::mount(source, FdPath(target_fd.get()).text, type, flags, data) != 0) {
    return fail(failure, "mount %s on /%s", type, target);
  }
  return true;
}

// /dev as runc builds it: a small tmpfs, the harmless devices bind-mounted from the host (no mknod, so
// it also works in a user namespace), a private devpts and a /dev/shm.
bool build_dev(int root_fd, const RootfsPlan& plan, ChildFailure& failure) noexcept {
  if (!mount_in_root(root_fd, "dev", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_STRICTATIME, "mode=755,size=65536k",
                     plan, failure)) {
    return false;
  }
  // Opened after the mount, so the handle is the new tmpfs; everything below is relative to it.
  const sys::UniqueFd dev(sys::openat2(root_fd, "dev", O_PATH | O_DIRECTORY | O_CLOEXEC, in_root));
  if (dev.get() < 0) return fail(failure, "open /dev");
  for (const char* device : {"null", "zero", "full", "random", "urandom", "tty"}) {
    const int created = ::openat(dev.get(), device, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
    if (created < 0) return fail(failure, "create /dev/%s", device);
    ::close(created);
    const sys::UniqueFd node(::openat(dev.get(), device, O_PATH | O_CLOEXEC | O_NOFOLLOW));
    char host_path[32];
    std::snprintf(host_path, sizeof(host_path), "/dev/%s", device);
    if (node.get() < 0 || ::mount(host_path, FdPath(node.get()).text, nullptr, MS_BIND, nullptr) != 0) {
      return fail(failure, "bind-mount %s", host_path);
    }
  }
  const struct {
    const char* name;
    const char* type;
    unsigned long flags;
    const char* data;
  } dev_mounts[] = {
      {"pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"},
      {"shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k"},
  };
  for (const auto& entry : dev_mounts) {
    if (::mkdirat(dev.get(), entry.name, 0755) != 0) return fail(failure, "mkdir /dev/%s", entry.name);
    const sys::UniqueFd dir(::openat(dev.get(), entry.name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir.get() < 0 || ::mount(entry.type, FdPath(dir.get()).text, entry.type, entry.flags, entry.data) != 0) {
      return fail(failure, "mount %s on /dev/%s", entry.type, entry.name);
    }
  }
  const struct {
    const char* target;
    const char* name;
  } links[] = {{"pts/ptmx", "ptmx"},
               {"/proc/self/fd", "fd"},
               {"/proc/self/fd/0", "stdin"},
               {"/proc/self/fd/1", "stdout"},
               {"/proc/self/fd/2", "stderr"}};
  for (const auto& link : links) {
    if (::symlinkat(link.target, dev.get(), link.name) != 0) return fail(failure, "symlink /dev/%s", link.name);
  }
  return true;
}

// sysfs belongs to a network namespace; where it cannot be mounted (a user namespace sharing the host's
// network) the host's /sys is bind-mounted read-only instead.
bool mount_sys(int root_fd, const RootfsPlan& plan, ChildFailure& failure) noexcept {
  const unsigned long sysfs_mount_flags = (plan.readonly_sys ? MS_RDONLY : 0) | MS_NOSUID | MS_NODEV | MS_NOEXEC;
  const sys::UniqueFd target(open_dir_in_root(root_fd, "sys"));
  if (target.get() < 0) return fail(failure, "open /sys in %s", plan.merged_dir.c_str());
  const FdPath path(target.get());
  if (::mount("sysfs", path.text, "sysfs", sysfs_mount_flags, nullptr) == 0) return true;
  if (errno != EPERM) return fail(failure, "mount sysfs on /sys");
  if (::mount("/sys", path.text, nullptr, MS_BIND | MS_REC, nullptr) != 0 ||
      ::mount(nullptr, path.text, nullptr, MS_BIND | MS_REMOUNT | sysfs_mount_flags, nullptr) != 0) {
    return fail(failure, "bind-mount /sys read-only");
  }
  return true;
}

// pivot_root(".", "."): the old root ends up stacked on the new one and is detached at once, so no
// put_old directory is needed in the image.
bool pivot_into(const RootfsPlan& plan, ChildFailure& failure) noexcept {
  if (::chdir(plan.merged_dir.c_str()) != 0) return fail(failure, "chdir %s", plan.merged_dir.c_str());
  if (sys::pivot_root(".", ".") != 0) return fail(failure, "pivot_root %s", plan.merged_dir.c_str());
  if (::umount2(".", MNT_DETACH) != 0) return fail(failure, "detach the old root");
  if (::chdir("/") != 0) return fail(failure, "chdir /");
  return true;
}

// Files get /dev/null over them, directories an empty read-only tmpfs.
bool mask_paths(ChildFailure& failure) noexcept {
  for (const char* path : masked_paths) {
    struct stat info {};
    if (::lstat(path, &info) != 0) {
      if (errno == ENOENT) continue;
      return fail(failure, "stat %s", path);
    }
    const int result = S_ISDIR(info.st_mode) ? ::mount("tmpfs", path, "tmpfs", MS_RDONLY, nullptr)
                                             : ::mount("/dev/null", path, nullptr, MS_BIND, nullptr);
    if (result != 0) return fail(failure, "mask %s", path);
  }
  return true;
}

// The /proc entries that change the host kernel become read-only. The remount repeats proc's own
// flags: a bind in a user namespace may not drop them.
bool make_proc_entries_readonly(ChildFailure& failure) noexcept {
  for (const char* path : readonly_proc_paths) {
    if (::mount(path, path, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
      if (errno == ENOENT) continue;
      return fail(failure, "bind-mount %s", path);
    }
    constexpr unsigned long readonly_remount_flags =
        MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
    if (::mount(nullptr, path, nullptr, readonly_remount_flags, nullptr) != 0)
      return fail(failure, "remount %s read-only", path);
  }
  return true;
}

}  // namespace

RootfsPlan make_rootfs_plan(const std::string& lower, const std::string& scratch_dir, bool user_namespace) {
  RootfsPlan plan;
  plan.scratch_dir = scratch_dir;
  plan.upper_dir = scratch_dir + "/upper";
  plan.work_dir = scratch_dir + "/work";
  plan.merged_dir = scratch_dir + "/root";
  plan.overlay_options = overlay_mount_options(lower, plan.upper_dir, plan.work_dir, user_namespace);
  return plan;
}

std::string overlay_mount_options(const std::string& lower, const std::string& upper, const std::string& work,
                                  bool user_namespace) {
  for (const auto* path : {&lower, &upper, &work}) {
    if (path->find_first_of(",:") != std::string::npos) {
      throw sys::Error("overlay: path " + *path + " holds ',' or ':', which overlayfs options cannot carry");
    }
  }
  // volatile: the upper layer is thrown away with the instance, so overlayfs need not sync the upper
  // filesystem when it is unmounted (a journal commit, when the state root is on a disk: milliseconds).
  std::string options = "lowerdir=" + lower + ",upperdir=" + upper + ",workdir=" + work + ",volatile";
  if (user_namespace) options += ",userxattr";
  return options;
}

std::string bind_target_name(const std::string& target) {
  const std::string name = target.starts_with('/') ? target.substr(1) : target;
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    throw sys::Error("bind mount target '" + target + "': must be one folder under the root, e.g. /scratch");
  }
  return name;
}

namespace {

bool bind_folders(int root_fd, const RootfsPlan& plan, ChildFailure& failure) noexcept {
  for (const RootfsPlan::Bind& bind : plan.binds) {
    // "bind" names the mount in a failure message; the kernel ignores the type of a bind mount.
    if (!mount_in_root(root_fd, bind.target.c_str(), bind.source.c_str(), "bind", MS_BIND | MS_NOSUID | MS_NODEV,
                       nullptr, plan, failure)) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool build_rootfs(const RootfsPlan& plan, ChildFailure& failure) noexcept {
  // Private first: nothing mounted from here on may propagate back to the host.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return fail(failure, "make / private");
  // The writable layer lives on a tmpfs mounted here, in the instance's mount namespace: it goes with
  // the namespace, so teardown removes nothing on the host's disk.
  if (::mount("tmpfs", plan.scratch_dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0) {
    return fail(failure, "mount tmpfs on %s", plan.scratch_dir.c_str());
  }
  for (const std::string* dir : {&plan.upper_dir, &plan.work_dir, &plan.merged_dir}) {
    if (::mkdir(dir->c_str(), 0755) != 0) return fail(failure, "mkdir %s", dir->c_str());
  }
  const char* merged = plan.merged_dir.c_str();
  // The root is not nodev, as runc's is not: the devices cgroup (runtime/cgroup/devices.hpp) decides which
  // device a node made with CAP_MKNOD (in Docker's set) may open, wherever the node is. With nodev here that
  // cgroup could never be seen at work, and a check of it could not fail. /dev's tmpfs and /tmp stay nodev:
  // the real devices are bind mounts, with the host's mount flags.
  if (::mount("overlay", merged, "overlay", 0, plan.overlay_options.c_str()) != 0) {
    return fail(failure, "mount overlay on %s", merged);
  }
  const sys::UniqueFd root(::open(merged, O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root.get() < 0) return fail(failure, "open %s", merged);
  return mount_in_root(root.get(), "proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr, plan, failure) &&
         build_dev(root.get(), plan, failure) && mount_sys(root.get(), plan, failure) &&
         mount_in_root(root.get(), "tmp", "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", plan, failure) &&
         bind_folders(root.get(), plan, failure) && pivot_into(plan, failure) &&
         (!plan.mask_paths || (mask_paths(failure) && make_proc_entries_readonly(failure)));
}

}  // namespace benchrun::runtime::kernel
