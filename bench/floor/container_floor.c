// container_floor: the kernel work of one container and nothing else, the floor `benchrun run` is
// compared with (bench/compare-runtimes.sh). It does what benchrun's runtime must do, in the same order:
//   cgroup directories in the hierarchies benchrun joins (v1: memory, cpu, cpuacct, pids; v2: one dir),
//   the limits, clone with pid, mount, uts, ipc and net namespaces (CLONE_VM|CLONE_VFORK, as benchrun),
//   in the child: join the cgroup by writing 0 to cgroup.procs, unshare the cgroup namespace, overlay
//   (the image's rootfs read-only below, a tmpfs above) and pivot_root into it, exec the workload;
//   then wait, and remove the cgroup directories.
// No state dir, /dev, /proc, /sys, masks, hostname, loopback, capabilities or seccomp: the workload mounts
// what it needs (benchinit mounts /proc, /dev and /sys when they are missing, as in a guest).
//
//   container_floor [-m MEMORY_BYTES] [-p PIDS_MAX] ROOTFS /path/in/rootfs [ARGS...]
//
// Exits with the workload's status (128 + signal if killed), 125 if the container could not be made.
// Everything it creates is removed however it ends, except on SIGKILL: the cgroup directories are named
// benchrun-floor-<pid> at each hierarchy's root (compare-runtimes.sh removes any it finds). The tmpfs and
// the overlay live in the container's own mount namespace and go with it.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { kMaxCgroups = 4, kSetupFailed = 125, kUsage = 2 };

static const char cgroup_root[] = "/sys/fs/cgroup";
// benchrun's always-joined v1 controllers (runtime/cgroup/cgroup_v1.cpp without cpuset and blkio, which
// it joins only when limited).
static const char* const v1_controllers[] = {"memory", "cpu", "cpuacct", "pids"};

struct Cgroups {
  int count;
  char paths[kMaxCgroups][256];
  int procs_fds[kMaxCgroups];
  int memory_index;  // which directory holds the memory / pids files (-1: none)
  int pids_index;
  int unified;
};

// What the child needs, all prepared before clone: it shares our memory and must not allocate.
struct ChildPlan {
  const struct Cgroups* cgroups;
  const char* lower;
  char overlay_options[512];
  char* const* argv;
  sigset_t workload_mask;
};

static const char scratch_dir[] = "/tmp";  // mounted over in the child's own mount namespace only
static char* const environment[] = {"PATH=/bin:/sbin:/bench/bin", NULL};

static void say_errno(const char* what, const char* subject) {
  fprintf(stderr, "container_floor: %s %s: %s\n", what, subject, strerror(errno));
}

static int write_file(const char* dir, const char* file, const char* value) {
  char path[320];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, value, strlen(value)) != (ssize_t)strlen(value)) {
    say_errno("write", path);
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return 0;
}

static int add_cgroup_dir(struct Cgroups* cgroups, const char* hierarchy) {
  struct Cgroups* c = cgroups;
  snprintf(c->paths[c->count], sizeof c->paths[0], "%s/benchrun-floor-%d", hierarchy, (int)getpid());
  if (mkdir(c->paths[c->count], 0755) != 0) {
    say_errno("mkdir", c->paths[c->count]);
    return -1;
  }
  c->procs_fds[c->count] = -1;
  return c->count++;
}

// Removes every directory made so far. A task that was just reaped may still be leaving the cgroup:
// EBUSY is retried for up to a second.
static void remove_cgroups(struct Cgroups* cgroups) {
  for (int i = cgroups->count - 1; i >= 0; --i) {
    if (cgroups->procs_fds[i] >= 0) close(cgroups->procs_fds[i]);
    for (int attempt = 0; rmdir(cgroups->paths[i]) != 0; ++attempt) {
      if (errno == ENOENT) break;
      if (errno != EBUSY || attempt == 1000) {
        say_errno("rmdir", cgroups->paths[i]);
        break;
      }
      nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
  }
  cgroups->count = 0;
}

static int create_cgroups(struct Cgroups* cgroups) {
  cgroups->memory_index = cgroups->pids_index = -1;
  struct statfs root;
  if (statfs(cgroup_root, &root) != 0) {
    say_errno("statfs", cgroup_root);
    return -1;
  }
  cgroups->unified = root.f_type == CGROUP2_SUPER_MAGIC;
  if (cgroups->unified) {
    int index = add_cgroup_dir(cgroups, cgroup_root);
    if (index < 0) return -1;
    cgroups->memory_index = cgroups->pids_index = index;
  } else {
    struct stat seen[kMaxCgroups];
    for (size_t i = 0; i < sizeof v1_controllers / sizeof v1_controllers[0]; ++i) {
      char hierarchy[128];
      snprintf(hierarchy, sizeof hierarchy, "%s/%s", cgroup_root, v1_controllers[i]);
      struct stat info;
      if (stat(hierarchy, &info) != 0) continue;
      int index = -1;  // cpu and cpuacct are usually one hierarchy (cpu,cpuacct)
      for (int j = 0; j < cgroups->count; ++j) {
        if (seen[j].st_dev == info.st_dev && seen[j].st_ino == info.st_ino) index = j;
      }
      if (index < 0) {
        seen[cgroups->count] = info;
        if ((index = add_cgroup_dir(cgroups, hierarchy)) < 0) return -1;
      }
      if (strcmp(v1_controllers[i], "memory") == 0) cgroups->memory_index = index;
      if (strcmp(v1_controllers[i], "pids") == 0) cgroups->pids_index = index;
    }
  }
  for (int i = 0; i < cgroups->count; ++i) {
    char procs[320];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", cgroups->paths[i]);
    if ((cgroups->procs_fds[i] = open(procs, O_WRONLY | O_CLOEXEC)) < 0) {
      say_errno("open", procs);
      return -1;
    }
  }
  return 0;
}

static int apply_limits(const struct Cgroups* cgroups, const char* memory_bytes, const char* pids_max) {
  if (memory_bytes != NULL &&
      (cgroups->memory_index < 0 ||
       write_file(cgroups->paths[cgroups->memory_index], cgroups->unified ? "memory.max" : "memory.limit_in_bytes",
                  memory_bytes) != 0)) {
    return -1;
  }
  if (pids_max != NULL &&
      (cgroups->pids_index < 0 || write_file(cgroups->paths[cgroups->pids_index], "pids.max", pids_max) != 0)) {
    return -1;
  }
  return 0;
}

__attribute__((noreturn)) static void child_fails(const char* what, const char* subject) {
  say_errno(what, subject);
  _exit(kSetupFailed);
}

static int child_main(void* argument) {
  struct ChildPlan* plan = argument;
  for (int i = 0; i < plan->cgroups->count; ++i) {
    if (write(plan->cgroups->procs_fds[i], "0", 1) != 1) child_fails("join", plan->cgroups->paths[i]);
  }
  if (unshare(CLONE_NEWCGROUP) != 0) child_fails("unshare", "cgroup namespace");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) child_fails("make private", "/");
  // The lower layer by fd, opened in this mount namespace (overlayfs takes no layer from another one): the
  // tmpfs over scratch_dir cannot hide it, wherever the image is.
  const int lower = open(plan->lower, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (lower < 0) child_fails("open", plan->lower);
  snprintf(plan->overlay_options, sizeof plan->overlay_options,
           "lowerdir=/proc/self/fd/%d,upperdir=/tmp/upper,workdir=/tmp/work,volatile", lower);
  if (mount("tmpfs", scratch_dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
    child_fails("mount tmpfs on", scratch_dir);
  static const char* const dirs[] = {"/tmp/upper", "/tmp/work", "/tmp/root"};
  for (int i = 0; i < 3; ++i) {
    if (mkdir(dirs[i], 0755) != 0) child_fails("mkdir", dirs[i]);
  }
  if (mount("overlay", "/tmp/root", "overlay", MS_NODEV, plan->overlay_options) != 0) {
    child_fails("mount overlay on", "/tmp/root");
  }
  if (chdir("/tmp/root") != 0) child_fails("chdir", "/tmp/root");
  if (syscall(SYS_pivot_root, ".", ".") != 0) child_fails("pivot_root", "/tmp/root");
  if (umount2(".", MNT_DETACH) != 0) child_fails("detach", "the old root");
  if (chdir("/") != 0) child_fails("chdir", "/");
  sigprocmask(SIG_SETMASK, &plan->workload_mask, NULL);
  execve(plan->argv[0], plan->argv, environment);
  child_fails("exec", plan->argv[0]);
}

static int usage(void) {
  fprintf(stderr, "usage: container_floor [-m MEMORY_BYTES] [-p PIDS_MAX] ROOTFS /path/in/rootfs [ARGS...]\n");
  return kUsage;
}

int main(int argc, char** argv) {
  const char* memory_bytes = NULL;
  const char* pids_max = NULL;
  for (int option; (option = getopt(argc, argv, "+m:p:")) != -1;) {
    if (option == 'm') {
      memory_bytes = optarg;
    } else if (option == 'p') {
      pids_max = optarg;
    } else {
      return usage();
    }
  }
  if (argc - optind < 2 || argv[optind + 1][0] != '/') return usage();

  // Stop signals and SIGCHLD are taken with sigwaitinfo, so a Ctrl-C still ends in the teardown below.
  sigset_t waited;
  sigemptyset(&waited);
  sigaddset(&waited, SIGINT);
  sigaddset(&waited, SIGTERM);
  sigaddset(&waited, SIGHUP);
  sigaddset(&waited, SIGCHLD);
  struct ChildPlan plan = {.argv = argv + optind + 1};
  sigprocmask(SIG_BLOCK, &waited, &plan.workload_mask);

  struct Cgroups cgroups = {0};
  int status = kSetupFailed;
  plan.lower = argv[optind];
  plan.cgroups = &cgroups;
  if (create_cgroups(&cgroups) == 0 && apply_limits(&cgroups, memory_bytes, pids_max) == 0) {
    static char stack[64 * 1024] __attribute__((aligned(16)));
    const int flags =
        CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_VM | CLONE_VFORK | SIGCHLD;
    pid_t child = clone(child_main, stack + sizeof stack, flags, &plan);
    if (child < 0) {
      say_errno("clone", argv[optind + 1]);
    } else {
      int wait_status = 0;
      for (;;) {
        siginfo_t info;
        if (sigwaitinfo(&waited, &info) < 0) continue;
        if (info.si_signo != SIGCHLD) {
          kill(child, SIGKILL);
          waitpid(child, &wait_status, 0);
          wait_status = 0;
          status = 128 + info.si_signo;
          break;
        }
        if (waitpid(child, &wait_status, WNOHANG) == child) {
          status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
          break;
        }
      }
    }
  }
  remove_cgroups(&cgroups);
  return status;
}
