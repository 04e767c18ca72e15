#include "runtime/linux/security.hpp"

#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "sys/error.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::runtime::kernel {

namespace {

struct SeccompRelease {
  void operator()(void* context) const noexcept { seccomp_release(context); }
};
using SeccompContext = std::unique_ptr<void, SeccompRelease>;

void check_seccomp(int result, const std::string& what) {
  if (result < 0) throw sys::SystemError(-result, "seccomp: " + what);
}

std::vector<sock_filter> compile_default_program() {
  SeccompContext context(seccomp_init(SCMP_ACT_ALLOW));
  if (!context) throw sys::Error("seccomp: seccomp_init failed");
  for (const char* name : denied_syscall_names()) {
    const int number = seccomp_syscall_resolve_name(name);
    if (number == __NR_SCMP_ERROR) continue;  // not a syscall on this architecture
    check_seccomp(seccomp_rule_add(context.get(), SCMP_ACT_ERRNO(EPERM), number, 0), std::string("deny ") + name);
  }
  // New namespaces: unshare and clone with any namespace flag. clone3 hides its flags in memory a
  // filter cannot read, so it gets ENOSYS and libc falls back to clone (Docker does the same).
  for (const int flag : denied_namespace_flags) {
    const auto mask = static_cast<scmp_datum_t>(flag);
    check_seccomp(seccomp_rule_add(context.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
                                   SCMP_A0(SCMP_CMP_MASKED_EQ, mask, mask)),
                  "deny unshare of namespaces");
    check_seccomp(seccomp_rule_add(context.get(), SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                   SCMP_A0(SCMP_CMP_MASKED_EQ, mask, mask)),
                  "deny clone of namespaces");
  }
  check_seccomp(
      seccomp_rule_add(context.get(), SCMP_ACT_ERRNO(ENOSYS), seccomp_syscall_resolve_name(enosys_syscall_name), 0),
      "clone3 -> ENOSYS");

  // libseccomp 2.5 exports only to a file descriptor: go through a memfd.
  sys::UniqueFd memory(::memfd_create("benchrun-seccomp", MFD_CLOEXEC));
  if (!memory) sys::throw_errno("seccomp: memfd_create");
  check_seccomp(seccomp_export_bpf(context.get(), memory.get()), "export bpf");
  const auto size = ::lseek(memory.get(), 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
    throw sys::Error("seccomp: bad exported program");
  std::vector<sock_filter> program(static_cast<std::size_t>(size) / sizeof(sock_filter));
  if (::pread(memory.get(), program.data(), static_cast<std::size_t>(size), 0) != size) {
    sys::throw_errno("seccomp: read exported program");
  }
  return program;
}

}  // namespace

const std::vector<const char*>& default_capability_names() {
  static const std::vector<const char*> names = {
      "cap_chown",      "cap_dac_override", "cap_fsetid",     "cap_fowner",  "cap_mknod",
      "cap_setgid",     "cap_setuid",       "cap_setfcap",    "cap_setpcap", "cap_net_bind_service",
      "cap_sys_chroot", "cap_kill",         "cap_audit_write"};
  return names;
}

const std::vector<const char*>& denied_syscall_names() {
  // clang-format off: a table, one purpose per line
  static const std::vector<const char*> names = {
      "kexec_load",
      "kexec_file_load",
      "reboot",  // replace or stop the kernel
      "init_module",
      "finit_module",
      "delete_module",
      "create_module",  // kernel modules
      "get_kernel_syms",
      "query_module",
      "swapon",
      "swapoff",
      "acct",
      "quotactl",
      "quotactl_fd",
      "syslog",  // host-wide state
      "settimeofday",
      "clock_settime",
      "clock_adjtime",
      "adjtimex",  // the host's clock
      "keyctl",
      "add_key",
      "request_key",  // kernel keyrings (not namespaced)
      "ptrace",
      "process_vm_readv",
      "process_vm_writev",  // other processes' memory
      "bpf",
      "perf_event_open",
      "userfaultfd",
      "lookup_dcookie",  // kernel attack surface
      "open_by_handle_at",
      "name_to_handle_at",  // escape by file handle
      "mount",
      "umount2",
      "pivot_root",
      "move_mount",
      "open_tree",  // the mount tree
      "fsopen",
      "fsmount",
      "fsconfig",
      "fspick",
      "setns",  // other namespaces
      "iopl",
      "ioperm",
      "vhangup",
      "nfsservctl",
      "uselib",
      "ustat",
      "sysfs",  // obsolete or raw hardware
      "_sysctl",
  };
  // clang-format on
  return names;
}

const std::vector<sock_filter>& default_seccomp_program() {
  static const std::vector<sock_filter> program = compile_default_program();
  return program;
}

SecurityPlan make_security_plan(bool with_seccomp, bool drop_capabilities) {
  SecurityPlan plan;
  plan.capabilities.reset(cap_init());
  if (!plan.capabilities) sys::throw_errno("capabilities: cap_init");
  std::vector<cap_value_t> keep;
  for (const char* name : default_capability_names()) {
    cap_value_t value = 0;
    if (cap_from_name(name, &value) != 0) sys::throw_errno(std::string("capabilities: unknown ") + name);
    keep.push_back(value);
  }
  if (!drop_capabilities) {  // every capability this process may pass on: its own bounding set
    keep.clear();
    for (cap_value_t value = 0; value < static_cast<cap_value_t>(cap_max_bits()); ++value) {
      if (cap_get_bound(value) > 0) keep.push_back(value);
    }
  }
  for (const auto flag : {CAP_EFFECTIVE, CAP_PERMITTED, CAP_INHERITABLE}) {
    if (cap_set_flag(plan.capabilities.get(), flag, static_cast<int>(keep.size()), keep.data(), CAP_SET) != 0) {
      sys::throw_errno("capabilities: cap_set_flag");
    }
  }
  for (cap_value_t value = 0; value <= static_cast<cap_value_t>(cap_max_bits()) - 1; ++value) {
    if (std::find(keep.begin(), keep.end(), value) == keep.end()) plan.bounding_drop.push_back(value);
  }
  if (with_seccomp) plan.seccomp_program = &default_seccomp_program();
  return plan;
}

bool apply_security(const SecurityPlan& plan, ChildFailure& failure) noexcept {
  for (const cap_value_t value : plan.bounding_drop) {
    if (::prctl(PR_CAPBSET_DROP, value, 0, 0, 0) != 0)
      return fail(failure, "drop capability %d from bounding set", value);
  }
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
    return fail(failure, "clear ambient capabilities");
  if (cap_set_proc(plan.capabilities.get()) != 0) return fail(failure, "set capabilities");
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail(failure, "set no_new_privs");
  if (plan.seccomp_program != nullptr) {
    sock_fprog program{};
    program.len = static_cast<unsigned short>(plan.seccomp_program->size());
    program.filter = const_cast<sock_filter*>(plan.seccomp_program->data());  // the kernel only reads it
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0)
      return fail(failure, "install seccomp filter");
  }
  return true;
}

}  // namespace benchrun::runtime::kernel
