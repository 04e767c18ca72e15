// Real guests under libvirt's embedded QEMU driver (KVM where the host's assessment says it works, TCG
// elsewhere: see vm/accelerator.hpp), started through the emulator wrapper and booted from the default image: they
// print READY and RESULT, and nothing of them is left afterwards; bad input gives one clear line and leaves nothing
// running.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "protocol/workload_protocol.hpp"
#include "sys/file_io.hpp"
#include "tests/integration/vm/image_guest_test.hpp"
#include "vm/accelerator.hpp"
#include "vm/boot_files.hpp"
#include "vm/connection.hpp"
#include "vm/emulator_wrapper.hpp"
#include "vm/guest.hpp"
#include "vm/qemu_process.hpp"
#include "vm/sweep.hpp"

namespace benchrun::vm {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr sys::MonotonicNs one_second = 1'000'000'000;
// Boot under TCG takes 2-7 s on this 2-core machine depending on load; KVM well under one.
constexpr sys::MonotonicNs boot_deadline = 90 * one_second;

class VmGuest : public ImageGuestTest {
 protected:
  void SetUp() override { stage_image("default", "benchrun-vmtest-", "run scripts/build-image.sh"); }

  GuestConfig config(const std::string& suffix, std::vector<std::string> argv) const {
    GuestConfig config = staged_guest_config(suffix, std::move(argv));
    config.memory_mib = 256;
    return config;
  }

  // Nothing of guest `name` is left: no domain, no QEMU process, no state file or fifo.
  void expect_gone(const std::string& name, std::optional<pid_t> qemu_pid) const {
    virDomainPtr domain = virDomainLookupByName(connection_->get(), name.c_str());
    EXPECT_EQ(domain, nullptr) << "domain " << name << " still exists";
    if (domain != nullptr) virDomainFree(domain);
    if (qemu_pid) {
      EXPECT_NE(::kill(*qemu_pid, 0), 0) << "QEMU pid " << *qemu_pid << " still exists";
    }
    EXPECT_FALSE(find_qemu_pid(name, embed_root).has_value()) << "a QEMU of " << name << " still runs";
    EXPECT_FALSE(std::filesystem::exists(embed_root / "run" / "qemu" / (name + ".pid")));
    EXPECT_FALSE(std::filesystem::exists(embed_root / "run" / "qemu" / (name + ".xml")));
    for (const auto& entry : std::filesystem::directory_iterator(run_dir_)) {
      EXPECT_THAT(entry.path().filename().string(), Not(HasSubstr(name))) << "left in the run dir";
    }
  }

  // Starts the guest, runs `body` with it, lets ~Guest destroy it, and checks that nothing of it is left.
  template <typename Body>
  void run_guest(const GuestConfig& guest_config, Body&& body) {
    std::optional<pid_t> qemu_pid;
    {
      Guest guest = Guest::start(*connection_, guest_config);
      qemu_pid = guest.qemu_pid();
      body(guest);
    }
    expect_gone(guest_config.name, qemu_pid);
  }
};

TEST_F(VmGuest, BootsPrintsReadyAndHelloResultAndIsGoneAfterwards) {
  const GuestConfig guest_config = config("hello", {"/bench/bin/hello"});
  run_guest(guest_config, [&](Guest& guest) {
    EXPECT_EQ(guest.domain_type(), domain_type_of(test_accelerator()));
    EXPECT_THAT(guest.xml(), HasSubstr("<emulator>" + emulator_.string() + "</emulator>"));
    ASSERT_TRUE(guest.qemu_pid().has_value()) << "QEMU pid not found";
    const sys::MonotonicNs deadline = sys::monotonic_now() + boot_deadline;
    std::optional<sys::ConsoleLine> ready;
    std::optional<sys::ConsoleLine> result;
    // The guest reads lines; their meaning is the caller's: marked here as the harness's vm adapter does.
    GuestStats stats;
    while (auto line = guest.next_line(deadline)) {
      if (line->text == benchrun::protocol::ready_line) {
        ready = line;
        guest.mark_phase("ready", line->at);
      }
      if (line->text.starts_with(benchrun::protocol::result_prefix)) {
        result = line;
        guest.mark_phase("result", line->at);
        stats = guest.stats();  // the guest powers off right after RESULT
        break;
      }
    }
    ASSERT_TRUE(ready.has_value()) << "no BENCHRUN READY on the console";
    ASSERT_TRUE(result.has_value()) << "no BENCHRUN RESULT on the console";
    EXPECT_THAT(result->text, HasSubstr("\"exit_code\":0"));
    EXPECT_LE(ready->at, result->at);

    ASSERT_TRUE(stats.cpu_time_ns.has_value());
    EXPECT_GT(*stats.cpu_time_ns, 0U);
    ASSERT_TRUE(stats.qemu_pss_bytes.has_value());
    EXPECT_GT(*stats.qemu_pss_bytes, 16U << 20) << "QEMU of a 256 MiB guest uses more than 16 MiB";
    EXPECT_EQ(stats.memory_max_bytes.value_or(0), 256ULL << 20);

    guest.wait_exit(deadline);  // benchinit powers the guest off after RESULT
    guest.destroy();
    const auto phases = guest.phases();
    std::vector<std::string> names;
    for (const auto& [name, at] : phases) names.push_back(name);
    // Every phase stamped when it happened, so they come in the order they must: the XML is built before
    // QEMU starts, QEMU starts before libvirt's create returns.
    EXPECT_THAT(names, ::testing::ElementsAre("xml_built", "qemu_exec", "create_returned", "first_console_output",
                                              "ready", "result", "qemu_exited", "teardown_done"));
  });
}

TEST_F(VmGuest, DestroyWhileTheGuestBootsLeavesNothing) {
  const GuestConfig guest_config = config("early", {"/bench/bin/spin", "60000"});
  // run_guest's check also finds a QEMU zombie (kill(pid, 0) succeeds on one): benchrun, its subreaper, reaped it.
  run_guest(guest_config, [&](Guest& guest) { guest.destroy(); });
}

TEST_F(VmGuest, AGuestThatIsNotReadyInTimeTimesOutAndIsDestroyed) {
  const GuestConfig guest_config = config("timeout", {"/bench/bin/hello"});
  run_guest(guest_config, [&](Guest& guest) {
    // No kernel gets to init in 50 ms, even under KVM.
    const sys::MonotonicNs deadline = sys::monotonic_now() + one_second / 20;
    try {
      while (guest.next_line(deadline)) {
      }
      FAIL() << "no Timeout";
    } catch (const sys::Timeout& timeout) {
      EXPECT_THAT(timeout.what(), HasSubstr(guest_config.name));
      EXPECT_EQ(std::string(timeout.what()).find('\n'), std::string::npos);
    }
  });  // ~Guest destroys it
}

TEST_F(VmGuest, AWorkloadThatDoesNotExistReports127AndPowersOff) {
  const GuestConfig guest_config = config("missing", {"/bench/bin/does-not-exist"});
  run_guest(guest_config, [&](Guest& guest) {
    const sys::MonotonicNs deadline = sys::monotonic_now() + boot_deadline;
    std::optional<sys::ConsoleLine> result;
    while (auto line = guest.next_line(deadline)) {
      if (line->text.starts_with(benchrun::protocol::result_prefix)) result = line;
    }
    ASSERT_TRUE(result.has_value());
    EXPECT_THAT(result->text, HasSubstr("\"exit_code\":127"));
  });
}

TEST_F(VmGuest, MissingKernelGivesOneClearLineAndNoDomain) {
  GuestConfig guest_config = config("nokernel", {"/bench/bin/hello"});
  guest_config.kernel = run_dir_ / "no-such-vmlinuz";
  try {
    Guest::start(*connection_, guest_config);
    FAIL() << "started without a kernel";
  } catch (const sys::Error& error) {
    const std::string message = error.what();
    EXPECT_THAT(message, HasSubstr(guest_config.name));
    EXPECT_THAT(message, HasSubstr("no-such-vmlinuz"));
    EXPECT_THAT(message, HasSubstr("run scripts/build-image.sh"));
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  expect_gone(guest_config.name, std::nullopt);
}

// Runs this test binary's `test` again in a private mount namespace where /dev/kvm is /dev/null, so that
// libvirt offers no KVM there. Returns the child's wait status as std::system gives it.
int run_with_kvm_hidden(const std::string& test) {
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  const std::string command = fmt::format(
      "env {}=1 unshare --mount --propagation private -- sh -c 'mount --bind /dev/null /dev/kvm && exec \"$0\" "
      "\"$1\"' '{}' '--gtest_filter={}'",
      kvm_hidden_env, self.string(), test);
  return std::system(command.c_str());
}

TEST_F(VmGuest, KvmAskedOfAConnectionWithoutKvmIsOneClearLineAndNoDomain) {
  if (connection_->domain_type() == "kvm") {
    // libvirt here offers KVM: the refusal is checked where it does not, with /dev/kvm hidden from libvirt.
    ASSERT_EQ(std::getenv(kvm_hidden_env), nullptr) << "/dev/kvm is hidden, yet libvirt offers domain type kvm";
    const int status = run_with_kvm_hidden("VmGuest.KvmAskedOfAConnectionWithoutKvmIsOneClearLineAndNoDomain");
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "the test, run again with /dev/kvm hidden, failed (wait status " << status << "): see its output above";
    return;
  }
  GuestConfig guest_config = config("nokvm", {"/bench/bin/hello"});
  guest_config.accelerator = Accelerator::kvm;
  try {
    Guest::start(*connection_, guest_config);
    FAIL() << "started a KVM guest on a connection without KVM";
  } catch (const sys::Error& error) {
    const std::string message = error.what();
    EXPECT_THAT(message, HasSubstr("offers only domain type qemu"));
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  expect_gone(guest_config.name, std::nullopt);
}

TEST(VmConnection, UnreachableUriGivesOneClearLine) {
  const std::string uri = "qemu+unix:///system?socket=/nonexistent";
  try {
    Connection::open(uri);
    FAIL() << "connected to " << uri;
  } catch (const sys::Error& error) {
    const std::string message = error.what();
    EXPECT_THAT(message, HasSubstr("libvirt connection " + uri + ": libvirt: virConnectOpen: "));
    EXPECT_THAT(message, HasSubstr("/nonexistent"));
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(VmConnection, EmbeddedRootGetsItsQemuConf) {
  const auto root = std::filesystem::temp_directory_path() / fmt::format("benchrun-vmtest-root-{}", ::getpid());
  prepare_embed_root(root);
  const std::string content = sys::read_file(root / "etc" / "qemu.conf");
  EXPECT_THAT(content, HasSubstr("stdio_handler = \"file\""));
  EXPECT_THAT(content, HasSubstr("security_driver = \"none\""));
  std::filesystem::remove_all(root);
}

// The devices check's root: libvirt confines QEMU's devices; the others list no devices controller, and `off` none.
TEST(VmConnection, OnlyTheDevicesRootListsTheDevicesController) {
  const auto root = std::filesystem::temp_directory_path() / fmt::format("benchrun-vmtest-devroot-{}", ::getpid());
  prepare_embed_root(root, EmbedCgroups::on_with_devices);
  EXPECT_THAT(sys::read_file(root / "etc" / "qemu.conf"),
              HasSubstr("cgroup_controllers = [ \"cpu\", \"cpuacct\", \"cpuset\", \"memory\", \"devices\" ]"));
  prepare_embed_root(root, EmbedCgroups::on);
  EXPECT_THAT(sys::read_file(root / "etc" / "qemu.conf"), Not(HasSubstr("devices")));
  prepare_embed_root(root, EmbedCgroups::off);
  EXPECT_THAT(sys::read_file(root / "etc" / "qemu.conf"), HasSubstr("cgroup_controllers = [ ]"));
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace benchrun::vm
