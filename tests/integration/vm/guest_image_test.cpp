// The "guest" image booted for real (libvirt's embedded QEMU driver, TCG on this host): benchinit as PID 1 of a
// guest loads the image's modules, mounts the cgroup layout benchrun.cgroup= asks for (every controller
// enabled under v2), makes the root pivot_root-able so that benchrun's own container backend starts a
// container from the nested images/default inside the guest, and sends /results back through the results
// port (vm::GuestConfig::results_file) as a tar the host unpacks.
// Every boot costs seconds under TCG: each one checks several things, read from what a shell workload
// prints on the console.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

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
#include "vm/guest_results.hpp"
#include "vm/qemu_process.hpp"
#include "vm/sweep.hpp"

namespace benchrun::vm {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;
using ::testing::Not;

constexpr sys::MonotonicNs one_second = 1'000'000'000;
// The guest initramfs is ~120 MiB (stress-ng's and fio's libraries), unpacked on every boot: slower than
// the default image's, and this 2-core host is shared.
constexpr sys::MonotonicNs boot_deadline = 300 * one_second;

// A shell script as one kernel command-line word (the kernel splits init's arguments at spaces and no
// quoting reaches init): every space becomes ${IFS}, which the shell's field splitting turns back into one.
std::string as_one_word(const std::string& script) {
  std::string word;
  for (const char c : script) word += c == ' ' ? std::string("${IFS}") : std::string(1, c);
  return word;
}

struct Mount {
  std::string point;
  std::string type;
  std::string super_options;
};

// The /proc/self/mountinfo lines among the console lines: "id parent maj:min root point opts ... - type
// source super_options".
std::vector<Mount> mounts_in(const std::vector<std::string>& lines) {
  std::vector<Mount> mounts;
  for (const std::string& line : lines) {
    const auto separator = line.find(" - ");
    if (separator == std::string::npos) continue;
    std::istringstream head(line.substr(0, separator));
    std::istringstream tail(line.substr(separator + 3));
    std::string id, parent, device, root;
    Mount mount;
    if (!(head >> id >> parent >> device >> root >> mount.point)) continue;
    std::string source;
    if (!(tail >> mount.type >> source >> mount.super_options)) continue;
    mounts.push_back(mount);
  }
  return mounts;
}

const Mount* mount_at(const std::vector<Mount>& mounts, const std::string& point) {
  // The last one at a point is the one seen there.
  auto found = std::find_if(mounts.rbegin(), mounts.rend(), [&](const Mount& m) { return m.point == point; });
  return found == mounts.rend() ? nullptr : &*found;
}

// The words after `prefix` on the console line that starts with it.
std::set<std::string> words_after(const std::vector<std::string>& lines, const std::string& prefix) {
  std::set<std::string> words;
  for (const std::string& line : lines) {
    if (!line.starts_with(prefix)) continue;
    std::istringstream stream(line.substr(prefix.size()));
    for (std::string word; stream >> word;) words.insert(word);
  }
  return words;
}

class GuestImage : public ImageGuestTest {
 protected:
  void SetUp() override {
    stage_image("guest", "benchrun-vmimgtest-", "cmake --build <build dir> --target benchrun_guest_image");
  }

  struct Boot {
    std::optional<CgroupLayout> cgroup_layout;
    std::vector<std::string> extra_cmdline;
    // Non-empty: the guest's /results comes back through the results port, unpacked here.
    std::filesystem::path results_dir;
  };

  // Boots the guest image as `how` says with the shell `script` as the workload, and returns every console
  // line up to the power-off. Asserts RESULT came with exit code 0 and that nothing of the guest is left.
  std::vector<std::string> boot(const std::string& suffix, const Boot& how, const std::string& script) {
    GuestConfig config = staged_guest_config(suffix, {"/bin/sh", "-c", as_one_word(script)});
    // The initramfs and its unpacked copy are both in guest memory while it boots.
    config.memory_mib = 1024;
    config.cgroup_layout = how.cgroup_layout;
    config.extra_cmdline = how.extra_cmdline;
    std::optional<ResultsFile> results_file;
    if (!how.results_dir.empty()) {
      results_file.emplace(run_dir_ / (config.name + ".results.tar"));
      config.results_file = results_file->path();
    }
    std::vector<std::string> lines;
    std::optional<pid_t> qemu_pid;
    {
      Guest guest = Guest::start(*connection_, config);
      qemu_pid = guest.qemu_pid();
      const sys::MonotonicNs deadline = sys::monotonic_now() + boot_deadline;
      while (auto line = guest.next_line(deadline)) lines.push_back(line->text);
      guest.destroy();
    }
    if (results_file) extraction_ = results_file->extract_to(how.results_dir);
    EXPECT_EQ(virDomainLookupByName(connection_->get(), config.name.c_str()), nullptr);
    if (qemu_pid) {
      EXPECT_NE(::kill(*qemu_pid, 0), 0) << "QEMU pid " << *qemu_pid << " still exists";
    }
    EXPECT_FALSE(find_qemu_pid(config.name, embed_root).has_value());
    std::string result;
    for (const std::string& line : lines) {
      if (line.starts_with(benchrun::protocol::result_prefix)) result = line;
    }
    EXPECT_THAT(result, HasSubstr("\"exit_code\":0")) << fmt::format("{}", fmt::join(lines, "\n"));
    return lines;
  }

  ResultsExtraction extraction_;  // of the last boot with a results_dir
};

std::string console_text(const std::vector<std::string>& lines) { return fmt::format("{}", fmt::join(lines, "\n")); }

TEST_F(GuestImage, CgroupV2WithEveryControllerModulesAndAContainerInside) {
  const std::vector<std::string> lines =
      boot("v2", {.cgroup_layout = CgroupLayout::v2, .extra_cmdline = {}, .results_dir = {}},
           "cat /proc/self/mountinfo;"
           "echo subtree: $(cat /sys/fs/cgroup/cgroup.subtree_control);"
           "sed s/^/module:/ /proc/modules;"
           "/usr/bin/benchrun run --backend container --images-dir /images --image default -- /bench/bin/hello;"
           "echo container-exit: $?");
  const std::string console = console_text(lines);
  const std::vector<Mount> mounts = mounts_in(lines);
  const Mount* cgroup = mount_at(mounts, "/sys/fs/cgroup");
  ASSERT_NE(cgroup, nullptr) << console;
  EXPECT_EQ(cgroup->type, "cgroup2");
  EXPECT_THAT(words_after(lines, "subtree: "), IsSupersetOf({"cpuset", "cpu", "io", "memory", "pids"})) << console;
  std::set<std::string> loaded;  // "module:overlay 151552 0 - Live 0x...": the first word
  for (const std::string& line : lines) {
    if (line.starts_with("module:")) loaded.insert(line.substr(7, line.find(' ') - 7));
  }
  EXPECT_THAT(loaded, IsSupersetOf({"overlay", "virtio_console", "virtio_pci", "virtio_blk", "virtio_net", "veth",
                                    "tun", "loop"}))
      << console;
  // The container backend pivot_roots into the nested image: possible only because benchinit moved the
  // root off the initramfs (rootfs cannot be pivot_root'ed).
  EXPECT_THAT(lines, Contains("hello from benchrun")) << console;
  EXPECT_THAT(lines, Contains("container-exit: 0")) << console;
  EXPECT_THAT(console, Not(HasSubstr("benchinit: "))) << "benchinit complained";
}

TEST_F(GuestImage, CgroupV1HierarchiesAndResultsComeBackThroughTheResultsPort) {
  const std::filesystem::path results = run_dir_ / "results";
  const std::vector<std::string> lines =
      boot("v1", {.cgroup_layout = CgroupLayout::v1, .extra_cmdline = {}, .results_dir = results},
           "cat /proc/self/mountinfo; echo kept >/results/out.txt; mkdir /results/sub;"
           "seq 1 20000 >/results/sub/numbers.txt");
  const std::string console = console_text(lines);
  const std::vector<Mount> mounts = mounts_in(lines);
  const Mount* base = mount_at(mounts, "/sys/fs/cgroup");
  ASSERT_NE(base, nullptr) << console;
  EXPECT_EQ(base->type, "tmpfs");
  for (const std::string controller : {"cpu,cpuacct", "memory", "pids", "cpuset", "blkio", "freezer", "devices"}) {
    const Mount* hierarchy = mount_at(mounts, "/sys/fs/cgroup/" + controller);
    ASSERT_NE(hierarchy, nullptr) << controller << " not mounted\n" << console;
    EXPECT_EQ(hierarchy->type, "cgroup") << controller;
    EXPECT_THAT(hierarchy->super_options, HasSubstr(controller)) << controller;
  }
  EXPECT_FALSE(std::any_of(mounts.begin(), mounts.end(), [](const Mount& m) { return m.type == "cgroup2"; }))
      << console;
  const Mount* results_mount = mount_at(mounts, "/results");
  ASSERT_NE(results_mount, nullptr) << console;
  EXPECT_EQ(results_mount->type, "tmpfs");

  // What the workload left in /results arrived whole through the tar stream (h2's reader unpacks it).
  EXPECT_FALSE(extraction_.lost.has_value()) << extraction_.lost.value_or("") << "\n" << console;
  EXPECT_TRUE(extraction_.refused.empty()) << fmt::format("{}", fmt::join(extraction_.refused, "; "));
  EXPECT_THAT(extraction_.files, ::testing::UnorderedElementsAre("out.txt", "sub/numbers.txt"));
  EXPECT_EQ(sys::read_file(results / "out.txt"), "kept\n");
  std::string numbers;
  for (int i = 1; i <= 20000; ++i) numbers += std::to_string(i) + "\n";
  EXPECT_TRUE(sys::read_file(results / "sub/numbers.txt") == numbers) << "sub/numbers.txt differs";
  EXPECT_THAT(console, Not(HasSubstr("benchinit: "))) << "benchinit complained";
}

TEST_F(GuestImage, CgroupHybridIsV1PlusTheUnifiedHierarchyAndAMissingResultsPortIsOneLine) {
  // benchrun.results= without the channel in the domain: /results is there, benchinit says in one line that
  // nothing could be sent, and the guest still powers off.
  const std::vector<std::string> lines = boot("hybrid",
                                              {.cgroup_layout = CgroupLayout::hybrid,
                                               .extra_cmdline = {"benchrun.results=org.benchrun.results"},
                                               .results_dir = {}},
                                              "cat /proc/self/mountinfo");
  const std::string console = console_text(lines);
  const std::vector<Mount> mounts = mounts_in(lines);
  for (const char* controller : {"cpu,cpuacct", "memory", "pids"}) {
    const Mount* hierarchy = mount_at(mounts, std::string("/sys/fs/cgroup/") + controller);
    ASSERT_NE(hierarchy, nullptr) << controller << " not mounted\n" << console;
    EXPECT_EQ(hierarchy->type, "cgroup");
  }
  const Mount* unified = mount_at(mounts, "/sys/fs/cgroup/unified");
  ASSERT_NE(unified, nullptr) << console;
  EXPECT_EQ(unified->type, "cgroup2");
  const Mount* results_mount = mount_at(mounts, "/results");
  ASSERT_NE(results_mount, nullptr) << console;
  EXPECT_EQ(results_mount->type, "tmpfs");
  const auto complaints = std::count_if(lines.begin(), lines.end(), [](const std::string& line) {
    return line.starts_with("benchinit: no virtio-serial port named org.benchrun.results");
  });
  EXPECT_EQ(complaints, 1) << console;
}

}  // namespace
}  // namespace benchrun::vm
