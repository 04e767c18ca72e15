// What an instance may not do: capabilities outside Docker's set, seccomp-denied calls, masked and
// read-only /proc paths.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "container_fixture.hpp"

namespace benchrun::runtime::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The 13 default capabilities as a CapEff mask: Docker's 14 (a80425fb) less CAP_NET_RAW (see security.hpp).
constexpr const char* default_caps = "00000000a80405fb";

TEST(ContainerSecurity, CapabilitiesAreTheDefaultSetWithNoNewPrivsAndSeccomp) {
  const auto outcome = run_shell("grep -E '^(CapEff|CapBnd|CapPrm|NoNewPrivs|Seccomp):' /proc/self/status");
  EXPECT_THAT(outcome.output, HasSubstr(std::string("CapPrm:\t") + default_caps));
  EXPECT_THAT(outcome.output, HasSubstr(std::string("CapEff:\t") + default_caps));
  EXPECT_THAT(outcome.output, HasSubstr(std::string("CapBnd:\t") + default_caps));
  EXPECT_THAT(outcome.output, HasSubstr("NoNewPrivs:\t1"));
  EXPECT_THAT(outcome.output, HasSubstr("Seccomp:\t2"));
}

TEST(ContainerSecurity, SeccompCanBeTurnedOff) {
  auto config = config_for({});
  config.seccomp = false;
  const auto outcome = run_shell("grep '^Seccomp:' /proc/self/status", config);
  EXPECT_THAT(outcome.output, HasSubstr("Seccomp:\t0"));
}

TEST(ContainerSecurity, DeniedCallsFailWithEperm) {
  // busybox's unshare uses unshare(2) (denied with namespace flags); mount needs mount(2) (denied).
  const auto outcome = run_shell(
      "unshare -n true; echo unshare=$?; mount -t tmpfs none /mnt; echo mount=$?; "
      "swapoff -a; echo swapoff=$?");
  EXPECT_THAT(outcome.output, HasSubstr("unshare=1"));
  EXPECT_THAT(outcome.output, HasSubstr("mount=1"));
  EXPECT_THAT(outcome.output, HasSubstr("Operation not permitted"));
}

TEST(ContainerSecurity, SensitiveProcPathsAreMaskedOrReadOnly) {
  // Which masked files exist depends on the kernel's config: expect a mask on those the host has.
  std::vector<std::string> masked_files;
  for (const char* path : {"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug"}) {
    if (std::filesystem::exists(path)) masked_files.emplace_back(path);
  }
  ASSERT_FALSE(masked_files.empty());
  std::string script;
  for (const auto& path : masked_files) script += "echo " + path + "=$(wc -c < " + path + "); ";
  script +=
      "echo 1 > /proc/sys/kernel/domainname && echo proc-sys-writable; "
      "touch /sys/benchrun 2>/dev/null || echo sys-ro; echo acpi=$(ls /proc/acpi 2>/dev/null | wc -l); echo done";
  const auto outcome = run_shell(script);
  for (const auto& path : masked_files) EXPECT_THAT(outcome.output, HasSubstr(path + "=0\n"));
  EXPECT_THAT(outcome.output, Not(HasSubstr("proc-sys-writable")));
  EXPECT_THAT(outcome.output, HasSubstr("/proc/sys/kernel/domainname: Read-only file system"));
  EXPECT_THAT(outcome.output, HasSubstr("sys-ro"));
  EXPECT_THAT(outcome.output, HasSubstr("acpi=0"));
  EXPECT_THAT(outcome.output, HasSubstr("done"));
}

TEST(ContainerSecurity, DeviceNodesMadeInsideCannotBeOpened) {
  // CAP_MKNOD is in Docker's set; nodev on the root, /dev and /tmp makes the nodes it creates inert.
  struct stat root_disk {};
  ASSERT_EQ(::stat("/", &root_disk), 0);
  const auto disk = std::to_string(major(root_disk.st_dev)) + " " + std::to_string(minor(root_disk.st_dev));
  const auto outcome =
      run_shell("for dir in / /dev /tmp; do mknod $dir/benchrun-disk b " + disk +
                " && head -c 1 $dir/benchrun-disk > /dev/null && echo opened-in-$dir; done; echo done");
  EXPECT_THAT(outcome.output, Not(HasSubstr("opened-in")));
  EXPECT_THAT(outcome.output, HasSubstr("Permission denied"));
  EXPECT_THAT(outcome.output, HasSubstr("done"));
}

TEST(ContainerSecurity, DevHoldsOnlyTheMinimalDevices) {
  const auto outcome = run_shell("ls /dev | tr '\\n' ' '; echo; head -c 4 /dev/zero | wc -c; ls /dev/pts");
  EXPECT_THAT(outcome.output, HasSubstr("fd full null ptmx pts random shm stderr stdin stdout tty urandom zero"));
  EXPECT_THAT(outcome.output, HasSubstr("\n4\n"));
  EXPECT_THAT(outcome.output, Not(HasSubstr("sda")));
}

}  // namespace
}  // namespace benchrun::runtime::testing
