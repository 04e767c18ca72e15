#include "guest_setup.hpp"

#include "guest_network.hpp"
#include "vm/guest_scratch.hpp"
#include "vm/swap_size.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace benchinit {
namespace {

constexpr unsigned long safe_mount_flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;

// One line to the console, with one write(2).
[[gnu::format(printf, 1, 2)]] void say(const char* format, ...) {
  char line[512];
  va_list arguments;
  va_start(arguments, format);
  int length = vsnprintf(line, sizeof line, format, arguments);
  va_end(arguments);
  if (length < 0) return;
  if (length >= static_cast<int>(sizeof line)) length = sizeof line - 1;
  ssize_t ignored = write(STDERR_FILENO, line, static_cast<size_t>(length));
  (void)ignored;
}

// "benchinit: mount /sys/fs/cgroup: EBUSY (Device or resource busy)", the project's error shape.
void warn_errno(const char* what, const char* subject, int errno_value) {
  const char* name = strerrorname_np(errno_value);
  say("benchinit: %s %s: %s (%s)\n", what, subject, name != nullptr ? name : "E?", strerror(errno_value));
}

// The whole of a small file, NUL-terminated; its length, or -1 when it cannot be read (errno set).
ssize_t read_small_file(const char* path, char* buffer, size_t capacity) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t used = 0;
  while (used + 1 < capacity) {
    ssize_t got = read(fd, buffer + used, capacity - 1 - used);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    used += static_cast<size_t>(got);
  }
  close(fd);
  buffer[used] = '\0';
  return static_cast<ssize_t>(used);
}

// The next word of `*cursor` separated by any of `separators` (NUL-terminated in place), or nullptr at the
// end; strtok without its hidden state (and without sscanf's weight in a static binary).
char* next_token(char** cursor, const char* separators) {
  char* start = *cursor + strspn(*cursor, separators);
  if (*start == '\0') return nullptr;
  char* end = start + strcspn(start, separators);
  if (*end != '\0') *end++ = '\0';
  *cursor = end;
  return start;
}

bool write_text(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t written = write(fd, text, strlen(text));
  int saved = errno;
  close(fd);
  errno = saved;
  return written == static_cast<ssize_t>(strlen(text));
}

bool mount_or_warn(const char* source, const char* target, const char* type, unsigned long flags, const char* data) {
  if (mount(source, target, type, flags, data) == 0) return true;
  warn_errno("mount", target, errno);
  return false;
}

bool make_directory(const char* path, mode_t mode) {
  if (mkdir(path, mode) == 0 || errno == EEXIST) return true;
  warn_errno("mkdir", path, errno);
  return false;
}

// /etc/benchrun/modules: one absolute .ko path a line, in load order (scripts/build-image.sh --modules).
void load_modules() {
  char list[8192];
  if (read_small_file("/etc/benchrun/modules", list, sizeof list) < 0) return;  // an image without modules
  for (char* line = list; *line != '\0';) {
    char* end = strchr(line, '\n');
    char* next = end != nullptr ? end + 1 : line + strlen(line);
    if (end != nullptr) *end = '\0';
    if (*line != '\0') {
      int fd = open(line, O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        warn_errno("open module", line, errno);
      } else {
        if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST) warn_errno("finit_module", line, errno);
        close(fd);
      }
    }
    line = next;
  }
}

// The value of `key=` among the kernel command line's words, copied into `value`; false when absent.
bool cmdline_value(const char* cmdline, const char* key, char* value, size_t capacity) {
  const size_t key_length = strlen(key);
  for (const char* word = cmdline; *word != '\0';) {
    while (*word == ' ' || *word == '\n') ++word;
    const char* end = word;
    while (*end != '\0' && *end != ' ' && *end != '\n') ++end;
    if (end - word == 2 && strncmp(word, "--", 2) == 0) return false;  // init's own arguments follow
    if (static_cast<size_t>(end - word) > key_length && strncmp(word, key, key_length) == 0 &&
        word[key_length] == '=') {
      const size_t length = static_cast<size_t>(end - word) - key_length - 1;
      if (length + 1 > capacity) return false;
      memcpy(value, word + key_length + 1, length);
      value[length] = '\0';
      return true;
    }
    word = end;
  }
  return false;
}

// cgroup v2 at `where`, every controller it offers enabled for its children.
void mount_cgroup2(const char* where, bool enable_controllers) {
  if (!mount_or_warn("cgroup2", where, "cgroup2", safe_mount_flags, nullptr) || !enable_controllers) return;
  char path[128];
  snprintf(path, sizeof path, "%s/cgroup.controllers", where);
  char controllers[512];
  if (read_small_file(path, controllers, sizeof controllers) < 0) {
    warn_errno("read", path, errno);
    return;
  }
  snprintf(path, sizeof path, "%s/cgroup.subtree_control", where);
  // One write per controller: one the kernel refuses does not take the others with it.
  char* next = controllers;
  while (const char* name = next_token(&next, " \n")) {
    char change[64];
    snprintf(change, sizeof change, "+%s", name);
    if (!write_text(path, change)) warn_errno("enable controller", name, errno);
  }
}

// One v1 hierarchy per controller the kernel has (/proc/cgroups), with cpu+cpuacct and net_cls+net_prio
// co-mounted and linked under their single names, as systemd and the container runtimes expect.
void mount_cgroup1_hierarchies() {
  if (!mount_or_warn("tmpfs", "/sys/fs/cgroup", "tmpfs", safe_mount_flags, "mode=0755")) return;
  char table[2048];
  if (read_small_file("/proc/cgroups", table, sizeof table) < 0) {
    warn_errno("read", "/proc/cgroups", errno);
    return;
  }
  bool cpu_done = false;
  bool net_done = false;
  // "#subsys_name hierarchy num_cgroups enabled", then one line per controller, tab-separated.
  char* next = table;
  while (char* line = next_token(&next, "\n")) {
    char* fields[4];
    int count = 0;
    while (count < 4 && (fields[count] = next_token(&line, "\t ")) != nullptr) ++count;
    if (count != 4 || fields[0][0] == '#' || strcmp(fields[3], "1") != 0) continue;
    const char* name = fields[0];
    const char* options = name;
    const char* aliases[2] = {nullptr, nullptr};
    if (strcmp(name, "cpu") == 0 || strcmp(name, "cpuacct") == 0) {
      if (cpu_done) continue;
      cpu_done = true;
      options = "cpu,cpuacct";
      aliases[0] = "cpu";
      aliases[1] = "cpuacct";
    } else if (strcmp(name, "net_cls") == 0 || strcmp(name, "net_prio") == 0) {
      if (net_done) continue;
      net_done = true;
      options = "net_cls,net_prio";
      aliases[0] = "net_cls";
      aliases[1] = "net_prio";
    }
    char where[96];
    snprintf(where, sizeof where, "/sys/fs/cgroup/%s", options);
    if (!make_directory(where, 0755)) continue;
    if (!mount_or_warn("cgroup", where, "cgroup", safe_mount_flags, options)) continue;
    for (const char* alias : aliases) {
      if (alias == nullptr) continue;
      char link[96];
      snprintf(link, sizeof link, "/sys/fs/cgroup/%s", alias);
      if (symlink(options, link) != 0) warn_errno("symlink", link, errno);
    }
  }
}

void mount_cgroups(const char* layout) {
  if (strcmp(layout, "v2") == 0) {
    mount_cgroup2("/sys/fs/cgroup", true);
  } else if (strcmp(layout, "v1") == 0) {
    mount_cgroup1_hierarchies();
  } else if (strcmp(layout, "hybrid") == 0) {
    mount_cgroup1_hierarchies();
    // Every controller is bound to v1 already: the unified hierarchy tracks processes only.
    if (make_directory("/sys/fs/cgroup/unified", 0755)) mount_cgroup2("/sys/fs/cgroup/unified", false);
  } else {
    say("benchinit: benchrun.cgroup=%s: not a layout (v2, v1 or hybrid); no cgroups mounted\n", layout);
  }
}

// benchrun.swap=<size>: a zram device of that size made swap, so a guest can prove a memory+swap limit where
// the host has no swap (benchrun never turns swap on a host). zram, not a file: the rootfs is a tmpfs (swap on
// tmpfs is refused) and a guest may have no disk; its compressed pages live in the guest's RAM. Needs the
// modules zram, zsmalloc and lzo-rle (its default compressor: without modprobe in the guest the kernel cannot
// load it on demand) from /etc/benchrun/modules, which load before this.
void set_up_swap(const char* size_text) {
  const auto bytes = benchrun::vm::parse_swap_size(size_text);
  const long page_size = sysconf(_SC_PAGESIZE);
  // The kernel wants at least 10 pages of swap area; the header takes one.
  if (!bytes || page_size <= 0 || *bytes < 16 * static_cast<std::uint64_t>(page_size)) {
    say("benchinit: benchrun.swap=%s: not a size of 16 pages or more (e.g. 64M); no swap\n", size_text);
    return;
  }
  const std::uint64_t pages = *bytes / static_cast<std::uint64_t>(page_size);
  // zram-control's hot_add would make another device; the module makes zram0 when it loads.
  char disksize[32];
  snprintf(disksize, sizeof disksize, "%llu", static_cast<unsigned long long>(pages * page_size));
  if (!write_text("/sys/block/zram0/disksize", disksize)) {
    warn_errno("set the size of", "/sys/block/zram0 (is the zram module in the image's --modules?)", errno);
    return;
  }
  int device = open("/dev/zram0", O_RDWR | O_CLOEXEC);
  if (device < 0) {
    warn_errno("open", "/dev/zram0", errno);
    return;
  }
  // The swap header (include/linux/swap.h, union swap_header) in the first page: version 1, the last page's
  // number, no bad pages, then "SWAPSPACE2" in the page's last 10 bytes; mkswap writes the same.
  static char header[65536];
  if (static_cast<size_t>(page_size) > sizeof header) {
    say("benchinit: benchrun.swap: page size %ld too large for the swap header\n", page_size);
    close(device);
    return;
  }
  memset(header, 0, static_cast<size_t>(page_size));
  const std::uint32_t version = 1;
  const auto last_page = static_cast<std::uint32_t>(pages - 1);
  memcpy(header + 1024, &version, sizeof version);
  memcpy(header + 1028, &last_page, sizeof last_page);
  memcpy(header + page_size - 10, "SWAPSPACE2", 10);
  const ssize_t written = pwrite(device, header, static_cast<size_t>(page_size), 0);
  const int write_error = errno;
  if (written != page_size || fsync(device) != 0) {
    warn_errno("write the swap header to", "/dev/zram0", written < 0 ? write_error : errno);
    close(device);
    return;
  }
  close(device);
  if (swapon("/dev/zram0", 0) != 0) {
    warn_errno("swapon", "/dev/zram0", errno);
    return;
  }
  say("benchinit: swap on /dev/zram0 (zram, %llu KiB)\n", static_cast<unsigned long long>(pages * page_size) >> 10);
}

// benchrun.scratch=<device>: the ext4 the host formatted on a raw file and attached as that virtio disk,
// mounted at vm::guest_scratch_folder (vm/guest_scratch.hpp): the disk-backed folder the guest's benchrun gets as
// its --scratch-dir (the root is a tmpfs). ext4 is built into the image's kernel; virtio_blk loads before this,
// and the disk may show up a moment after the module did, so its device is waited for (up to 2 s).
void mount_scratch(const char* device) {
  if (!benchrun::vm::valid_scratch_device(device)) {
    say("benchinit: benchrun.scratch=%s: not a virtio disk (e.g. /dev/vda); no scratch folder\n", device);
    return;
  }
  struct stat info {};
  for (int attempt = 0; attempt < 100 && stat(device, &info) != 0; ++attempt) {
    const timespec pause{0, 20'000'000};
    nanosleep(&pause, nullptr);
  }
  const char* folder = benchrun::vm::guest_scratch_folder.data();
  if (!make_directory("/var", 0755) || !make_directory("/var/tmp", 01777) || !make_directory(folder, 0755)) return;
  if (mount_or_warn(device, folder, "ext4", MS_NOSUID | MS_NODEV | MS_NOATIME, "")) {
    say("benchinit: scratch %s (ext4) on %s\n", device, folder);
  }
}

// The initramfs root (rootfs) cannot be pivot_root'ed, and a container runtime inside pivot_roots into its
// container. So the root becomes a bind mount of itself: bound (with what is mounted below) onto a folder,
// moved over /, and chrooted into, as switch_root does. /tmp is only the stepping stone: once the mount
// moved away from it, it is the plain folder again.
void make_root_pivotable() {
  if (mount("/", "/tmp", nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    warn_errno("bind mount / on", "/tmp (containers cannot pivot_root)", errno);
    return;
  }
  if (chdir("/tmp") != 0 || mount("/tmp", "/", nullptr, MS_MOVE, nullptr) != 0 || chroot(".") != 0 || chdir("/") != 0) {
    warn_errno("move the root bind mount to", "/ (containers cannot pivot_root)", errno);
    if (chdir("/") != 0) warn_errno("chdir", "/", errno);
  }
}

// /dev/vportNpM of the virtio-serial port called `name`, into `device`; false when there is none (yet).
bool find_port(const char* name, char* device, size_t capacity) {
  DIR* ports = opendir("/sys/class/virtio-ports");
  if (ports == nullptr) return false;
  bool found = false;
  while (dirent* entry = readdir(ports)) {
    if (entry->d_name[0] == '.') continue;
    char path[320];
    snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", entry->d_name);
    char port_name[128];
    if (read_small_file(path, port_name, sizeof port_name) <= 0) continue;
    port_name[strcspn(port_name, "\n")] = '\0';
    if (strcmp(port_name, name) == 0) {
      snprintf(device, capacity, "/dev/%s", entry->d_name);
      found = true;
      break;
    }
  }
  closedir(ports);
  return found;
}

}  // namespace

GuestSetup prepare_guest() {
  GuestSetup setup;
  load_modules();

  char cmdline[4096];
  if (read_small_file("/proc/cmdline", cmdline, sizeof cmdline) < 0) {
    warn_errno("read", "/proc/cmdline", errno);
    cmdline[0] = '\0';
  }
  char layout[16];
  if (cmdline_value(cmdline, "benchrun.cgroup", layout, sizeof layout)) mount_cgroups(layout);

  char swap_size[32];
  if (cmdline_value(cmdline, benchrun::vm::guest_swap_parameter.data(), swap_size, sizeof swap_size)) {
    set_up_swap(swap_size);
  }

  char network[64];
  if (cmdline_value(cmdline, "benchrun.net", network, sizeof network)) {
    char error[384];
    if (!configure_guest_network(network, error, sizeof error)) say("benchinit: %s\n", error);
  }

  struct stat images {};
  if (stat("/images", &images) == 0 && S_ISDIR(images.st_mode)) make_root_pivotable();

  // Mounted in the root the workload sees (after it was made pivotable).
  char scratch_device[32];
  if (cmdline_value(cmdline, benchrun::vm::guest_scratch_parameter.data(), scratch_device, sizeof scratch_device)) {
    mount_scratch(scratch_device);
  }

  if (cmdline_value(cmdline, "benchrun.results", setup.results_port, sizeof setup.results_port)) {
    if (!make_directory("/results", 0755) || !mount_or_warn("tmpfs", "/results", "tmpfs", MS_NOSUID | MS_NODEV, "")) {
      say("benchinit: /results is the initramfs itself; what the workload writes there is still sent\n");
    }
  }
  return setup;
}

void deliver_results(const GuestSetup& setup) {
  if (setup.results_port[0] == '\0') return;
  // The port appears once virtio_console met the host's channel, which can come after a short workload.
  char device[300];
  bool found = false;
  for (int attempt = 0; attempt < 250 && !(found = find_port(setup.results_port, device, sizeof device)); ++attempt) {
    const timespec pause{0, 20'000'000};
    nanosleep(&pause, nullptr);
  }
  if (!found) {
    say("benchinit: no virtio-serial port named %s in /sys/class/virtio-ports: results not sent (is virtio_console "
        "loaded and the channel in the domain?)\n",
        setup.results_port);
    return;
  }
  int port = open(device, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (port < 0) {
    warn_errno("open results port", device, errno);
    return;
  }
  pid_t tar = fork();
  if (tar < 0) {
    warn_errno("fork", "tar for /results", errno);
  } else if (tar == 0) {
    dup2(port, STDOUT_FILENO);
    char* const argv[] = {
        const_cast<char*>("tar"), const_cast<char*>("-c"),       const_cast<char*>("-f"), const_cast<char*>("-"),
        const_cast<char*>("-C"),  const_cast<char*>("/results"), const_cast<char*>("."),  nullptr};
    execv("/bin/busybox", argv);
    warn_errno("exec", "/bin/busybox tar", errno);
    _exit(127);
  } else {
    int status = 0;
    while (waitpid(tar, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      say("benchinit: tar of /results to %s failed (status %d): the host gets what was written\n", device, status);
    }
  }
  if (fsync(port) != 0 && errno != EINVAL) warn_errno("fsync", device, errno);
  close(port);
  sync();
}

}  // namespace benchinit
