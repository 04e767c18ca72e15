// benchinit: the init of every benchrun instance (PID 1 in containers and guests, a plain child process
// for the native backend). It mounts what the backend left out, prints `BENCHRUN READY`, runs the
// workload, reaps everything, prints `BENCHRUN RESULT {json}` and exits with the workload's status (or
// powers the guest off). The host timestamps both lines on arrival, so they must leave at once: every
// line goes out with one write(2), never through stdio buffers.
//
//   benchinit [--protocol-fd FD | --quiet] [--] /path/to/workload [ARGS...]
//
// The protocol lines go to fd 1 unless told otherwise: `--protocol-fd 2` puts them on stderr, `--quiet`
// drops them. `benchrun run` uses these so the workload keeps the real stdout to itself, byte for byte,
// with nothing copied on the way (the lines are the harness's business, not the user's).
//
// A workload may report its own figures (e.g. ops/s): benchinit gives it a memfd, named in
// BENCHRUN_METRICS_FD, reads the `name value unit lower|higher` lines back once the workload was reaped, and
// forwards the valid ones in RESULT's "metrics" (protocol/workload_protocol.hpp says the rules).
//
// As PID 1 of a guest it also does what the image and the kernel command line ask (modules, cgroups, a
// pivot_root-able root, /results sent to the host): guest_setup.hpp.
//
// Static, libc only, no allocation on the path between READY and RESULT: it sits on the startup critical
// path of every backend.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "guest_setup.hpp"
#include "protocol/workload_protocol.hpp"

namespace {

constexpr int exec_failed_status = 127;  // what shells report for "command not found / not executable"
constexpr int usage_status = 2;
constexpr int internal_failure_status = 125;  // benchinit itself failed (fork, wait), as container runtimes say

// The workload's pid, for the handler that forwards SIGTERM/SIGINT/SIGHUP/SIGQUIT. A handler can reach
// nothing else; it is written once, before the forwarded signals are unblocked.
volatile sig_atomic_t g_workload_pid = 0;

// A protocol line and its line end, made at compile time so that one write(2) sends it whole.
template <size_t Size>
struct LineWithEnd {
  char bytes[Size];
  static constexpr size_t size = Size;
};

template <size_t TextSizeWithNul>
constexpr LineWithEnd<TextSizeWithNul> with_line_end(const char (&text)[TextSizeWithNul]) {
  LineWithEnd<TextSizeWithNul> line{};
  for (size_t i = 0; i + 1 < TextSizeWithNul; ++i) line.bytes[i] = text[i];
  line.bytes[TextSizeWithNul - 1] = '\n';  // where the NUL was
  return line;
}

constexpr auto ready_message = with_line_end(benchrun::protocol::ready_line);

void write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t written = write(fd, data, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      return;  // nobody left to tell: the console or pipe is gone
    }
    data += written;
    size -= static_cast<size_t>(written);
  }
}

// The longest line benchinit writes: RESULT with every workload metric (see metrics_json_size).
constexpr size_t line_size = 4096;

// printf to a raw fd: one write(2) per line, so lines from benchinit and the workload never interleave
// mid-line and nothing waits in a buffer.
[[gnu::format(printf, 2, 3)]] void print_line(int fd, const char* format, ...) {
  char line[line_size];
  va_list arguments;
  va_start(arguments, format);
  int length = vsnprintf(line, sizeof line, format, arguments);
  va_end(arguments);
  if (length < 0) return;
  write_all(fd, line, length < static_cast<int>(sizeof line) ? static_cast<size_t>(length) : sizeof line - 1);
}

// "benchinit: exec /bench/bin/x: ENOENT (No such file or directory)", the project's error shape.
void warn_errno(const char* what, const char* subject, int errno_value) {
  const char* name = strerrorname_np(errno_value);
  print_line(STDERR_FILENO, "benchinit: %s %s: %s (%s)\n", what, subject, name != nullptr ? name : "E?",
             strerror(errno_value));
}

long long monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec;
}

bool path_exists(const char* path) {
  struct stat info {};
  return lstat(path, &info) == 0;
}

bool directory_is_empty(const char* path) {
  DIR* dir = opendir(path);
  if (dir == nullptr) return false;  // missing or unreadable: nothing we could mount on anyway
  bool empty = true;
  while (dirent* entry = readdir(dir)) {
    if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
      empty = false;
      break;
    }
  }
  closedir(dir);
  return empty;
}

void mount_if(bool needed, const char* source, const char* target, const char* type, unsigned long flags) {
  if (!needed) return;
  // Not fatal: a workload that needs no /proc or /sys still runs, and the warning says what is missing.
  if (mount(source, target, type, flags, nullptr) != 0) warn_errno("mount", target, errno);
}

// A guest kernel hands init the console as fds 0-2 only if /dev/console exists in the initramfs; if it
// did not, take them from the devtmpfs mounted above so READY and RESULT still reach the host.
void ensure_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1) continue;
    int console = open("/dev/console", O_RDWR | O_NOCTTY);
    if (console < 0) return;
    if (console != fd) {
      dup2(console, fd);
      close(console);
    }
  }
}

// Mounts only what the backend did not: the container runtime and the host already provide these,
// a guest booting from an initramfs provides none of them.
void mount_missing_filesystems() {
  constexpr unsigned long safe_mount_flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  mount_if(!path_exists("/proc/self"), "proc", "/proc", "proc", safe_mount_flags);
  mount_if(!path_exists("/dev/null"), "devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC);
  mount_if(directory_is_empty("/sys"), "sysfs", "/sys", "sysfs", safe_mount_flags);
  ensure_standard_fds();
}

void forward_signal(int signal_number) {
  pid_t workload = g_workload_pid;
  if (workload > 0) kill(workload, signal_number);
}

constexpr int forwarded_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT};

sigset_t forwarded_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal_number : forwarded_signals) sigaddset(&set, signal_number);
  return set;
}

void install_forwarding_handlers() {
  struct sigaction action {};
  action.sa_handler = forward_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  for (int signal_number : forwarded_signals) sigaction(signal_number, &action, nullptr);
}

// In the child, between fork and exec: give the workload a clean signal state and run it.
[[noreturn]] void exec_workload(char** workload_argv, const sigset_t& original_mask) {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int signal_number : forwarded_signals) sigaction(signal_number, &default_action, nullptr);
  sigprocmask(SIG_SETMASK, &original_mask, nullptr);
  execvp(workload_argv[0], workload_argv);
  warn_errno("exec", workload_argv[0], errno);
  _exit(exec_failed_status);
}

// The children of this process as listed by the kernel (/proc/<pid>/task/<pid>/children, one line of
// pids). Returns how many were written to `children`.
int list_children(pid_t* children, int capacity) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", getpid(), getpid());
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buffer[4096];
  ssize_t length = read(fd, buffer, sizeof buffer - 1);
  close(fd);
  if (length <= 0) return 0;
  buffer[length] = '\0';
  int count = 0;
  char* cursor = buffer;
  while (count < capacity) {
    char* end = nullptr;
    long pid = strtol(cursor, &end, 10);
    if (end == cursor) break;
    children[count++] = static_cast<pid_t>(pid);
    cursor = end;
  }
  return count;
}

// The workload is gone; whatever it left behind (daemons, orphans re-parented to us) ends now, so the
// instance's end is the workload's end and no process outlives the run. As PID 1 of a namespace or a
// guest, kill(-1) reaches exactly the instance; as a plain process only our own children may be touched.
void end_leftover_processes() {
  for (;;) {
    int status = 0;
    pid_t reaped = waitpid(-1, &status, WNOHANG);
    if (reaped > 0) continue;
    if (reaped < 0 && errno == EINTR) continue;
    if (reaped < 0) return;  // ECHILD: nothing left
    // Children are still running.
    if (getpid() == 1) {
      kill(-1, SIGKILL);
    } else {
      pid_t children[256];
      int count = list_children(children, 256);
      for (int i = 0; i < count; ++i) kill(children[i], SIGKILL);
      if (count == 0) return;  // cannot see them (no /proc): leave them to our own parent
    }
    // Block for one death; killed children's own children are re-parented to us before it is reported,
    // so the next pass sees them.
    reaped = waitpid(-1, &status, 0);
    if (reaped < 0 && errno != EINTR) return;
  }
}

// Workload metrics ------------------------------------------------------------------------------------
namespace protocol = benchrun::protocol;

// The memfd the workload writes its metric lines to, inherited (no close-on-exec) and named in the
// environment; -1 when there is none (the workload then sees no BENCHRUN_METRICS_FD and reports nothing).
int open_metrics_channel() {
  int fd = memfd_create("benchrun-metrics", 0);
  if (fd < 0) {
    warn_errno("memfd_create", "for workload metrics (none will be forwarded)", errno);
    unsetenv(protocol::metrics_fd_env);
    return -1;
  }
  char number[16];
  snprintf(number, sizeof number, "%d", fd);
  setenv(protocol::metrics_fd_env, number, 1);
  return fd;
}

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }
bool is_unit_char(char c) { return c > ' ' && c < 127 && c != '"' && c != '\\'; }

template <typename Accept>
bool all_of(const char* text, Accept accept) {
  for (; *text != '\0'; ++text) {
    if (!accept(*text)) return false;
  }
  return true;
}

// Splits `line` (NUL-terminated, modified in place) at spaces and tabs into at most `capacity` words;
// returns how many there were (more than capacity: capacity + 1).
int split_words(char* line, char** words, int capacity) {
  int count = 0;
  for (char* cursor = line; *cursor != '\0';) {
    while (*cursor == ' ' || *cursor == '\t') *cursor++ = '\0';
    if (*cursor == '\0') break;
    if (count == capacity) return capacity + 1;
    words[count++] = cursor;
    while (*cursor != '\0' && *cursor != ' ' && *cursor != '\t') ++cursor;
  }
  return count;
}

// Why a metric line is not forwarded, or nullptr when it is fine. `names` are the names accepted so far.
const char* judge_metric(char** words, int count, char* const* names, int accepted) {
  if (count != 4) return "not 4 words: name value unit lower|higher";
  const size_t name_length = strlen(words[0]);
  if (name_length == 0 || name_length > protocol::max_metric_name_length || !all_of(words[0], is_name_char)) {
    return "name must be 1 to 63 of a-z, 0-9, _";
  }
  char* end = nullptr;
  const double value = strlen(words[1]) <= 32 ? strtod(words[1], &end) : 0.0;
  if (end == nullptr || end == words[1] || *end != '\0' || !std::isfinite(value)) return "value is not a finite number";
  const size_t unit_length = strlen(words[2]);
  if (unit_length == 0 || unit_length > protocol::max_metric_unit_length || !all_of(words[2], is_unit_char)) {
    return "unit must be 1 to 15 printable characters without quotes or backslashes";
  }
  if (strcmp(words[3], "lower") != 0 && strcmp(words[3], "higher") != 0) return "direction must be lower or higher";
  for (int i = 0; i < accepted; ++i) {
    if (strcmp(names[i], words[0]) == 0) return "name given twice";
  }
  return nullptr;
}

// One forwarded metric in JSON: the keys and quotes, a name, %.17g of a double (at most 24 characters), a
// unit and "higher"; and the whole array of them.
constexpr size_t metric_json_size =
    48 + protocol::max_metric_name_length + 24 + protocol::max_metric_unit_length + sizeof "higher";
constexpr size_t metrics_json_size = 2 + protocol::max_workload_metrics * metric_json_size;
static_assert(metrics_json_size + 256 <= line_size, "RESULT with every metric fits one line");

// RESULT's "metrics" array (e.g. `[{"name":"ops","value":12.5,"unit":"ops/s","better":"higher"}]`) from
// the lines the workload wrote to `fd`, into `json`. Dropped lines get a note on stderr.
void metrics_json(int fd, char* json, size_t capacity) {
  size_t used = static_cast<size_t>(snprintf(json, capacity, "["));
  char text[protocol::max_metrics_bytes + 1];
  ssize_t length = fd < 0 ? 0 : pread(fd, text, sizeof text, 0);
  if (length < 0) length = 0;
  if (length > protocol::max_metrics_bytes) {
    print_line(STDERR_FILENO, "benchinit: workload metrics beyond the first %d bytes dropped\n",
               protocol::max_metrics_bytes);
    length = protocol::max_metrics_bytes;
    while (length > 0 && text[length - 1] != '\n') --length;  // the cut line is not whole
  }
  text[length] = '\0';

  char* names[protocol::max_workload_metrics];
  int accepted = 0;
  int line_number = 0;
  for (char* line = text; *line != '\0';) {
    char* newline = strchr(line, '\n');
    char* next = newline != nullptr ? newline + 1 : line + strlen(line);
    if (newline != nullptr) *newline = '\0';
    ++line_number;
    char* words[5];
    const int count = split_words(line, words, 4);
    const char* problem = count == 0 ? nullptr : judge_metric(words, count, names, accepted);
    if (count > 0 && problem == nullptr && accepted == protocol::max_workload_metrics) problem = "too many metrics";
    if (problem != nullptr) {
      print_line(STDERR_FILENO, "benchinit: workload metric line %d dropped: %s\n", line_number, problem);
    } else if (count > 0) {
      names[accepted] = words[0];
      used += static_cast<size_t>(snprintf(
          json + used, capacity - used, "%s{\"name\":\"%s\",\"value\":%.17g,\"unit\":\"%s\",\"better\":\"%s\"}",
          accepted == 0 ? "" : ",", words[0], strtod(words[1], nullptr), words[2], words[3]));
      ++accepted;
    }
    line = next;
  }
  snprintf(json + used, capacity - used, "]");
}

struct WorkloadOutcome {
  int wait_status = 0;
  rusage usage{};
  long long wall_ns = 0;
};

void print_result(int fd, const WorkloadOutcome& outcome, int metrics_fd) {
  char metrics[metrics_json_size];
  metrics_json(metrics_fd, metrics, sizeof metrics);
  char exit_code[16] = "null";
  char signal_number[16] = "null";
  if (WIFEXITED(outcome.wait_status)) snprintf(exit_code, sizeof exit_code, "%d", WEXITSTATUS(outcome.wait_status));
  if (WIFSIGNALED(outcome.wait_status)) {
    snprintf(signal_number, sizeof signal_number, "%d", WTERMSIG(outcome.wait_status));
  }
  auto microseconds = [](const timeval& time) {
    return static_cast<long long>(time.tv_sec) * 1'000'000LL + time.tv_usec;
  };
  print_line(fd,
             "%s{\"exit_code\":%s,\"signal\":%s,\"wall_ns\":%lld,\"user_us\":%lld,"
             "\"sys_us\":%lld,\"max_rss_kb\":%ld,\"metrics\":%s}\n",
             benchrun::protocol::result_prefix, exit_code, signal_number, outcome.wall_ns,
             microseconds(outcome.usage.ru_utime), microseconds(outcome.usage.ru_stime), outcome.usage.ru_maxrss,
             metrics);
}

int exit_status_of(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

// Where the protocol lines go: a file descriptor, or -1 for nowhere.
constexpr int no_protocol = -1;

// Parses the options before the workload; returns the index of the workload's argv[0], or -1 on a bad
// option (after saying why on stderr).
int parse_options(int argc, char** argv, int& protocol_fd) {
  int index = 1;
  for (; index < argc; ++index) {
    const char* option = argv[index];
    if (strcmp(option, "--") == 0) return index + 1;
    if (strcmp(option, "--quiet") == 0) {
      protocol_fd = no_protocol;
    } else if (strcmp(option, "--protocol-fd") == 0 && index + 1 < argc) {
      char* end = nullptr;
      const long fd = strtol(argv[++index], &end, 10);
      if (end == argv[index] || *end != '\0' || fd < 0 || fd > 1023) {
        print_line(STDERR_FILENO, "benchinit: --protocol-fd %s: not a file descriptor\n", argv[index]);
        return -1;
      }
      protocol_fd = static_cast<int>(fd);
    } else if (strncmp(option, "--", 2) == 0) {
      print_line(STDERR_FILENO, "benchinit: unknown option %s\n", option);
      return -1;
    } else {
      break;
    }
  }
  return index;
}

}  // namespace

int main(int argc, char** argv) {
  int protocol_fd = STDOUT_FILENO;
  const int first = parse_options(argc, argv, protocol_fd);
  if (first < 0 || first >= argc) {
    print_line(STDERR_FILENO, "usage: benchinit [--protocol-fd FD | --quiet] [--] /path/to/workload [ARGS...]\n");
    return usage_status;
  }
  char** workload_argv = argv + first;
  // Read before the workload runs: the kernel passes unknown `k=v` command-line words to init as env.
  const char* poweroff_setting = getenv("BENCHRUN_POWEROFF");
  bool power_off = poweroff_setting != nullptr && strcmp(poweroff_setting, "1") == 0;

  // Outside a pid namespace we are not PID 1, but orphans of the workload must still come to us.
  if (getpid() != 1) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  mount_missing_filesystems();
  // PID 1 of a guest (only the guest's kernel command line sets BENCHRUN_POWEROFF; containers get a clean
  // environment): what the image and the command line ask for, see guest_setup.hpp.
  const bool guest_init = power_off && getpid() == 1;
  benchinit::GuestSetup guest_setup;
  if (guest_init) guest_setup = benchinit::prepare_guest();

  // Forwarded signals stay blocked until the workload's pid is known, so none is lost in between.
  sigset_t forwarded = forwarded_signal_set();
  sigset_t original_mask;
  sigprocmask(SIG_BLOCK, &forwarded, &original_mask);
  install_forwarding_handlers();

  // Only where a RESULT will carry them: with --quiet the workload gets no channel (and no stale number).
  if (protocol_fd == no_protocol) unsetenv(benchrun::protocol::metrics_fd_env);
  const int metrics_fd = protocol_fd != no_protocol ? open_metrics_channel() : -1;

  if (protocol_fd != no_protocol) write_all(protocol_fd, ready_message.bytes, ready_message.size);

  WorkloadOutcome outcome;
  long long started_ns = monotonic_ns();
  pid_t workload = fork();
  if (workload < 0) {
    warn_errno("fork", workload_argv[0], errno);
    outcome.wait_status = internal_failure_status << 8;  // a wait status that reads as "exited 125"
  } else if (workload == 0) {
    exec_workload(workload_argv, original_mask);
  } else {
    g_workload_pid = workload;
    sigprocmask(SIG_SETMASK, &original_mask, nullptr);
    for (;;) {
      int status = 0;
      rusage usage{};
      pid_t reaped = wait4(-1, &status, 0, &usage);
      if (reaped < 0) {
        if (errno == EINTR) continue;
        warn_errno("wait4", workload_argv[0], errno);
        outcome.wait_status = internal_failure_status << 8;
        break;
      }
      if (reaped == workload) {
        outcome.wall_ns = monotonic_ns() - started_ns;
        outcome.wait_status = status;
        outcome.usage = usage;
        break;
      }
      // An orphan re-parented to us died first: reaped, nothing to report.
    }
    g_workload_pid = 0;
  }
  end_leftover_processes();
  if (protocol_fd != no_protocol) print_result(protocol_fd, outcome, metrics_fd);

  int exit_status = exit_status_of(outcome.wait_status);
  // After RESULT, so the workload's end is stamped when it ended, not after the copy; the host waits for
  // the power-off before it reads the results.
  if (guest_init) benchinit::deliver_results(guest_setup);
  if (power_off) {
    sync();
    reboot(RB_POWER_OFF);
    warn_errno("reboot", "RB_POWER_OFF", errno);  // only reached where we may not power off
  }
  return exit_status;
}
