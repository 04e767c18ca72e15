// probe: the isolation suite's workload. From inside an instance it looks at what it can see and tries what
// it should not be able to do, and prints one `BENCHRUN PROBE <check> <value> <detail>` line per observation
// (protocol/isolation_probe.hpp). It judges nothing against a promise: the host knows what each backend
// promises and gives the probe only what to compare with (a host pid, the host's hostname, a SysV key it
// made, ...). Every attempt is made so that it cannot change anything when allowed: a mount of a filesystem
// type that does not exist, a module load from fd -1, a reboot with wrong magic numbers.
//
//   probe --host-pid PID --host-comm NAME --hostname NAME --shm-key KEY --host-net NAME=MAC,...
//         --host-root DEV:INO --host-ns user=INO,cgroup=INO --boot-id ID --masked PATH,... --readonly PATH,...
//
// Static, libc only, like every workload.
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "protocol/isolation_probe.hpp"

namespace {

namespace protocol = benchrun::protocol;

constexpr int usage_status = 2;

struct Flags {
  const char* host_pid = "";
  const char* host_comm = "";
  const char* hostname = "";
  const char* shm_key = "";
  const char* host_net = "";
  const char* host_root = "";
  const char* host_ns = "";
  const char* boot_id = "";
  const char* masked = "";
  const char* readonly = "";
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "probe: %s\nusage: probe --host-pid PID --host-comm NAME --hostname NAME --shm-key KEY "
               "--host-net NAME=MAC,... --host-root DEV:INO --host-ns user=INO,cgroup=INO --boot-id ID "
               "--masked PATH,... --readonly PATH,...\n",
               why);
  std::exit(usage_status);
}

Flags parse_flags(int argc, char** argv) {
  Flags flags;
  const struct {
    const char* name;
    const char** value;
  } known[] = {{protocol::probe_host_pid, &flags.host_pid}, {protocol::probe_host_comm, &flags.host_comm},
               {protocol::probe_hostname, &flags.hostname}, {protocol::probe_shm_key, &flags.shm_key},
               {protocol::probe_host_net, &flags.host_net}, {protocol::probe_host_root, &flags.host_root},
               {protocol::probe_host_ns, &flags.host_ns},   {protocol::probe_boot_id, &flags.boot_id},
               {protocol::probe_masked, &flags.masked},     {protocol::probe_readonly, &flags.readonly}};
  for (int index = 1; index < argc; index += 2) {
    bool matched = false;
    for (const auto& flag : known) {
      if (std::strcmp(argv[index], flag.name) != 0) continue;
      if (index + 1 >= argc) usage("a flag without its value");
      *flag.value = argv[index + 1];
      matched = true;
    }
    if (!matched) usage("unknown argument");
  }
  return flags;
}

// One observation, one write: lines of a guest's console must not interleave with the kernel's.
void report(const char* check, const char* value, const char* detail_format, ...) __attribute__((format(printf, 3, 4)));
void report(const char* check, const char* value, const char* detail_format, ...) {
  char detail[512];
  va_list args;
  va_start(args, detail_format);
  std::vsnprintf(detail, sizeof detail, detail_format, args);
  va_end(args);
  for (char* c = detail; *c != '\0'; ++c) {
    if (*c == '\n' || *c == '\r') *c = ' ';
  }
  char line[768];
  const int size = std::snprintf(line, sizeof line, "%s%s %s %s\n", protocol::probe_prefix, check, value, detail);
  if (size > 0) (void)!write(STDOUT_FILENO, line, static_cast<size_t>(size) < sizeof line ? size : sizeof line - 1);
}

const char* protection(bool is_protected) { return is_protected ? protocol::probe_protected : protocol::probe_exposed; }

// Reads a small file into `buffer` (NUL-terminated); false if it cannot be read.
bool read_small_file(const char* path, char* buffer, size_t size) {
  const int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t got = read(fd, buffer, size - 1);
  close(fd);
  if (got < 0) return false;
  buffer[got] = '\0';
  return true;
}

void trim_line_end(char* text) { text[std::strcspn(text, "\n")] = '\0'; }

// The value of `key` in a "key=value,key=value" list, copied into `out`; false if absent.
bool list_value(const char* list, const char* key, char* out, size_t size) {
  const size_t key_length = std::strlen(key);
  for (const char* at = list; *at != '\0';) {
    const char* end = std::strchr(at, ',');
    const size_t length = end ? static_cast<size_t>(end - at) : std::strlen(at);
    if (length > key_length && std::strncmp(at, key, key_length) == 0 && at[key_length] == '=') {
      std::snprintf(out, size, "%.*s", static_cast<int>(length - key_length - 1), at + key_length + 1);
      return true;
    }
    if (end == nullptr) break;
    at = end + 1;
  }
  return false;
}

// Calls `each` with every item of a comma-separated list (copied, NUL-terminated).
template <typename Each>
void for_each_item(const char* list, Each each) {
  for (const char* at = list; *at != '\0';) {
    const char* end = std::strchr(at, ',');
    const size_t length = end ? static_cast<size_t>(end - at) : std::strlen(at);
    char item[256];
    std::snprintf(item, sizeof item, "%.*s", static_cast<int>(length), at);
    if (item[0] != '\0') each(item);
    if (end == nullptr) break;
    at = end + 1;
  }
}

// Appends ",item" (or "item" to an empty list), cut to fit.
void append_item(char* list, size_t size, const char* item) {
  size_t used = std::strlen(list);
  if (used != 0 && used + 1 < size) list[used++] = ',';
  for (; *item != '\0' && used + 1 < size; ++item) list[used++] = *item;
  list[used] = '\0';
}

bool another_kernel(const Flags& flags) {
  char boot_id[64] = "";
  if (!read_small_file("/proc/sys/kernel/random/boot_id", boot_id, sizeof boot_id)) return false;
  trim_line_end(boot_id);
  return flags.boot_id[0] != '\0' && std::strcmp(boot_id, flags.boot_id) != 0;
}

// ---- namespaces: what the instance sees of the host ----

void check_pid(const Flags& flags) {
  char cmdline[256] = "";
  const bool readable = read_small_file("/proc/1/cmdline", cmdline, sizeof cmdline);
  const char* slash = std::strrchr(cmdline, '/');
  const char* program = slash ? slash + 1 : cmdline;
  // Benchinit, and the probe's parent: in a container without its own PID namespace inside a guest, PID 1 is
  // the guest's benchinit, but not the one that started the probe (vm+container, --isolation-off pid-ns).
  const bool parent_is_init = getppid() == 1;
  report("pid.init_is_benchinit", protection(readable && std::strcmp(program, "benchinit") == 0 && parent_is_init),
         "pid 1 is %s%s", readable ? cmdline : "unreadable", parent_is_init ? "" : ", not the probe's parent");

  char path[64];
  std::snprintf(path, sizeof path, "/proc/%s/comm", flags.host_pid);
  char comm[64] = "";
  const bool seen = read_small_file(path, comm, sizeof comm);
  trim_line_end(comm);
  const bool host_process = seen && std::strcmp(comm, flags.host_comm) == 0;
  report("pid.host_pids_hidden", protection(!host_process), "host pid %s (%s) %s", flags.host_pid, flags.host_comm,
         host_process ? "is visible"
         : seen       ? "is another process here"
                      : "does not exist here");
}

void check_uts(const Flags& flags) {
  char name[256] = "";
  gethostname(name, sizeof name - 1);
  report("uts.own_hostname", protection(std::strcmp(name, flags.hostname) != 0), "hostname %s, host's %s", name,
         flags.hostname);
}

void check_ipc(const Flags& flags) {
  const key_t key = static_cast<key_t>(std::strtol(flags.shm_key, nullptr, 10));
  const int id = shmget(key, 0, 0);
  const int error = errno;
  // EACCES: the segment is there, only its mode keeps us out (a user namespace sharing the host's IPC).
  const bool visible = id >= 0 || error == EACCES;
  report("ipc.own_objects", protection(!visible), "host shm key %s: %s", flags.shm_key,
         id >= 0 ? "found" : strerrorname_np(error));
}

void check_net(const Flags& flags) {
  struct if_nameindex* interfaces = if_nameindex();
  if (interfaces == nullptr) {
    report("net.own_interfaces", protection(false), "cannot list interfaces: %s", strerrorname_np(errno));
    return;
  }
  const int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  char shared[256] = "";
  int count = 0;
  for (struct if_nameindex* each = interfaces; each->if_index != 0; ++each) {
    ++count;
    char mac[32] = "";
    ifreq request{};
    std::snprintf(request.ifr_name, sizeof request.ifr_name, "%s", each->if_name);
    if (sock >= 0 && ioctl(sock, SIOCGIFHWADDR, &request) == 0) {
      const auto* bytes = reinterpret_cast<const unsigned char*>(request.ifr_hwaddr.sa_data);
      std::snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2], bytes[3], bytes[4],
                    bytes[5]);
    }
    char host_mac[32];
    // The host's interface, if one of that name has the same address (a guest's eth0 is not the host's).
    if (list_value(flags.host_net, each->if_name, host_mac, sizeof host_mac) &&
        (host_mac[0] == '\0' || strcasecmp(host_mac, mac) == 0)) {
      append_item(shared, sizeof shared, each->if_name);
    }
  }
  if (sock >= 0) close(sock);
  if_freenameindex(interfaces);
  report("net.own_interfaces", protection(shared[0] == '\0'), "%d interfaces, host's seen: %s", count,
         shared[0] ? shared : "none");
}

void check_mnt(const Flags& flags) {
  struct stat root {};
  stat("/", &root);
  char here[64];
  std::snprintf(here, sizeof here, "%u:%u:%lu", major(root.st_dev), minor(root.st_dev),
                static_cast<unsigned long>(root.st_ino));
  const bool own = another_kernel(flags) || std::strcmp(here, flags.host_root) != 0;
  report("mnt.own_root", protection(own), "root %s, host's %s%s", here, flags.host_root,
         another_kernel(flags) ? " (another kernel)" : "");
}

// user and cgroup namespaces have no marker a host could plant: the namespace itself is compared, by its
// inode; a guest's are its own kernel's (whose initial namespaces have the host's inode numbers).
void check_namespace(const Flags& flags, const char* check, const char* kind) {
  char link_path[64];
  std::snprintf(link_path, sizeof link_path, "/proc/self/ns/%s", kind);
  char target[64] = "";
  const ssize_t length = readlink(link_path, target, sizeof target - 1);
  if (length > 0) target[length] = '\0';
  const char* open_bracket = std::strchr(target, '[');
  const char* inode = open_bracket ? open_bracket + 1 : "";
  char host_inode[32] = "";
  list_value(flags.host_ns, kind, host_inode, sizeof host_inode);
  const bool kernel = another_kernel(flags);
  const bool own = kernel || (length > 0 && std::strncmp(inode, host_inode, std::strlen(host_inode)) != 0);
  char uid_map[128] = "";
  if (std::strcmp(kind, "user") == 0 && read_small_file("/proc/self/uid_map", uid_map, sizeof uid_map)) {
    trim_line_end(uid_map);
  }
  report(check, protection(own), "%s, host's %s:[%s]%s%s%s", length > 0 ? target : "unreadable", kind, host_inode,
         kernel ? " (another kernel)" : "", uid_map[0] ? ", uid_map " : "", uid_map);
}

// ---- privileges: what the instance may do ----

void check_capabilities() {
  char status[4096] = "";
  read_small_file("/proc/self/status", status, sizeof status);
  const char* effective = std::strstr(status, "CapEff:");
  char value[32] = "unreadable";
  if (effective != nullptr) std::sscanf(effective, "CapEff: %31s", value);
  const char* seccomp = std::strstr(status, "Seccomp:");
  int seccomp_mode = -1;
  if (seccomp != nullptr) std::sscanf(seccomp, "Seccomp: %d", &seccomp_mode);
  report("caps.bounded", value, "CapEff %s, seccomp mode %d", value, seccomp_mode);
}

// A call the kernel refuses for want of a privilege (or that a filter refuses) answers EPERM; `allowed_errno`
// is what it answers when allowed, and proves the call reached the kernel.
void report_attempt(const char* check, long result, int error, const char* what) {
  const bool refused = result < 0 && (error == EPERM || error == EACCES);
  const bool unsupported = result < 0 && error == ENOSYS;
  report(check,
         unsupported ? protocol::probe_unsupported
         : refused   ? protocol::probe_refused
                     : protocol::probe_allowed,
         "%s: %s", what, result >= 0 ? "succeeded" : strerrorname_np(error));
}

void check_privileged_calls() {
  // Permission comes before the filesystem type's lookup: allowed answers ENODEV, and nothing is mounted.
  long result = mount("none", "/", "benchrun-probe-nofs", 0, nullptr);
  report_attempt("mount.refused", result, errno, "mount of a filesystem type that does not exist");
  result = syscall(SYS_finit_module, -1, "", 0);
  report_attempt("module_load.refused", result, errno, "finit_module(-1)");
  // CAP_SYS_BOOT is checked before the magic numbers: allowed answers EINVAL.
  result = syscall(SYS_reboot, 0, 0, 0, nullptr);
  report_attempt("reboot.refused", result, errno, "reboot with wrong magic numbers");
  const int raw = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  const int raw_error = errno;
  if (raw >= 0) close(raw);
  report_attempt("raw_socket.refused", raw, raw_error, "socket(AF_INET, SOCK_RAW)");
}

// Calls of the default seccomp filter's denylist that no capability guards, so only a filter refuses them;
// each is harmless when allowed. Reported one line each, as `seccomp.<call>`.
void check_seccomp_calls() {
  long result = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session keyring */, 0);
  report_attempt("seccomp.keyctl", result, errno, "keyctl(GET_KEYRING_ID)");

  char source[8] = "probe";
  char target[8] = "";
  iovec local{target, sizeof target};
  iovec remote{source, sizeof source};
  result = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
  report_attempt("seccomp.process_vm_readv", result, errno, "process_vm_readv of itself");

  struct {
    file_handle handle;
    unsigned char bytes[128];
  } handle{};
  handle.handle.handle_bytes = 0;  // too small on purpose: allowed answers EOVERFLOW
  int mount_id = 0;
  result = name_to_handle_at(AT_FDCWD, "/", &handle.handle, &mount_id, 0);
  report_attempt("seccomp.name_to_handle_at", result, errno, "name_to_handle_at(/)");

  result = syscall(SYS_sysfs, 3);
  report_attempt("seccomp.sysfs", result, errno, "sysfs(3)");

  // unshare(CLONE_NEWUSER) needs no capability; tried in a child, which exits at once.
  const pid_t child = fork();
  if (child == 0) _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
  int status = 0;
  if (child > 0 && waitpid(child, &status, 0) == child && WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    report_attempt("seccomp.unshare", code == 0 ? 0 : -1, code, "unshare(CLONE_NEWUSER) in a child");
  } else {
    report("seccomp.unshare", protocol::probe_allowed, "could not fork to try: %s", strerrorname_np(errno));
  }
}

// ---- filesystems: what /proc and /sys show and let change ----

// Masked: a file has /dev/null over it, a directory is empty; a path this kernel lacks needs no mask.
void check_masked_paths(const Flags& flags) {
  char exposed[256] = "";
  int count = 0;
  for_each_item(flags.masked, [&](const char* path) {
    ++count;
    struct stat info {};
    if (lstat(path, &info) != 0) return;
    bool masked = false;
    if (S_ISCHR(info.st_mode)) {
      masked = info.st_rdev == makedev(1, 3);
    } else if (S_ISDIR(info.st_mode)) {
      masked = true;
      if (DIR* dir = opendir(path)) {
        while (dirent* entry = readdir(dir)) {
          if (std::strcmp(entry->d_name, ".") != 0 && std::strcmp(entry->d_name, "..") != 0) masked = false;
        }
        closedir(dir);
      }
    }
    if (!masked) {
      append_item(exposed, sizeof exposed, path);
    }
  });
  report("proc.masked_paths", protection(exposed[0] == '\0'), "%d paths, unmasked: %s", count,
         exposed[0] ? exposed : "none");
}

void check_readonly_paths(const Flags& flags) {
  char writable[256] = "";
  int count = 0;
  for_each_item(flags.readonly, [&](const char* path) {
    ++count;
    struct statvfs info {};
    if (statvfs(path, &info) != 0 || (info.f_flag & ST_RDONLY) != 0) return;
    append_item(writable, sizeof writable, path);
  });
  report("proc.readonly_paths", protection(writable[0] == '\0'), "%d paths, writable: %s", count,
         writable[0] ? writable : "none");
}

void check_sys() {
  struct statvfs info {};
  if (statvfs("/sys", &info) != 0) {
    report("sys.read_only", protection(false), "statvfs /sys: %s", strerrorname_np(errno));
    return;
  }
  report("sys.read_only", protection((info.f_flag & ST_RDONLY) != 0), "/sys mounted %s",
         (info.f_flag & ST_RDONLY) != 0 ? "read-only" : "read-write");
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = parse_flags(argc, argv);
  check_pid(flags);
  check_uts(flags);
  check_ipc(flags);
  check_net(flags);
  check_mnt(flags);
  check_namespace(flags, "user.own_namespace", "user");
  check_namespace(flags, "cgroup.own_namespace", "cgroup");
  check_capabilities();
  check_privileged_calls();
  check_seccomp_calls();
  check_masked_paths(flags);
  check_readonly_paths(flags);
  check_sys();
  return 0;
}
