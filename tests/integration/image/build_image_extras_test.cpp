// scripts/build-image.sh --add / --nest / --modules, for real, into a scratch --out: a dynamically linked
// program added with its libraries runs in a chroot into the bare rootfs, modules come with their
// dependencies in load order (judged against the kernel's own modules.dep), a nested image is there whole,
// the same inputs build nothing the second time, and a bad input is one line naming the fix.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sys/file_io.hpp"
#include "tests/integration/image/spawned_process.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace benchrun::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::string workloads_dir = std::string(BENCHRUN_BINARY_DIR) + "/bench/workloads";
constexpr const char* added_program = "/usr/bin/stress-ng";  // dynamically linked, a dozen libraries

// `out`: stdout, then stderr.
CommandResult build_image(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{std::string(BENCHRUN_SOURCE_DIR) + "/scripts/build-image.sh"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  SpawnedProcess process = SpawnedProcess::start(argv);
  int status = process.finish(300s);
  CommandResult run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  for (const OutputLine& line : process.stdout_lines()) run.out += line.text + "\n";
  run.out += process.stderr_text();
  return run;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// One default image and one "host" image built from it with every extra, shared by the tests below (a
// build with stress-ng's libraries takes seconds).
class BuildImageExtras : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(workloads_dir + "/benchinit") || !fs::exists(added_program)) return;
    out_ = std::make_unique<TempDir>("benchrun-image-extras");
    default_build_ = build_image({"--workloads-dir", workloads_dir, "--out", out_->path().string()});
    host_build_ = build_image(host_arguments());
  }
  static void TearDownTestSuite() { out_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(fs::exists(workloads_dir + "/benchinit"))
        << "workloads not built in " << workloads_dir << ": cmake --build <build dir> --target benchrun_image";
    ASSERT_TRUE(fs::exists(added_program)) << added_program << " missing: scripts/setup.sh installs stress-ng";
    ASSERT_EQ(default_build_.exit_code, 0) << default_build_.out;
    ASSERT_EQ(host_build_.exit_code, 0) << host_build_.out;
  }

  static std::vector<std::string> host_arguments(const std::string& modules = "veth,virtio_net") {
    return {"--name",          "host",
            "--workloads-dir", workloads_dir,
            "--out",           out_->path().string(),
            "--add",           added_program,
            "--nest",          (out_->path() / "default").string(),
            "--modules",       modules};
  }
  static fs::path host() { return out_->path() / "host"; }
  static nlohmann::json manifest(const fs::path& image) {
    return nlohmann::json::parse(sys::read_file(image / "manifest.json"));
  }

  static std::unique_ptr<TempDir> out_;
  static CommandResult default_build_;
  static CommandResult host_build_;
};

std::unique_ptr<TempDir> BuildImageExtras::out_;
CommandResult BuildImageExtras::default_build_;
CommandResult BuildImageExtras::host_build_;

TEST_F(BuildImageExtras, AnAddedDynamicProgramRunsInAChrootIntoTheRootfs) {
  // Run by its path in the rootfs, in the rootfs: only what the image holds can be loaded.
  const fs::path rootfs = host() / "rootfs";
  SpawnedProcess process = SpawnedProcess::start({added_program, "--version"}, [&rootfs] {
    if (::chroot(rootfs.c_str()) != 0 || ::chdir("/") != 0) _exit(126);
  });
  const int status = process.finish(60s);
  std::string out;
  for (const OutputLine& line : process.stdout_lines()) out += line.text + "\n";
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out << process.stderr_text();
  EXPECT_THAT(out, StartsWith("stress-ng, version ")) << out;

  const nlohmann::json image = manifest(host());
  EXPECT_EQ(image["added"], nlohmann::json::array({added_program}));
  // Every library the loader listed is there, the loader among them; a soname link and its file both.
  ASSERT_TRUE(image.contains("libraries"));
  bool saw_soname_link = false;
  for (const auto& library : image["libraries"]) {
    const fs::path in_rootfs = rootfs / library.get<std::string>().substr(1);
    EXPECT_TRUE(fs::exists(in_rootfs)) << library << " missing (or a dangling link) in the rootfs";
    if (fs::is_symlink(in_rootfs)) saw_soname_link = true;
  }
  EXPECT_TRUE(saw_soname_link) << "no library was reached through its soname link";
  EXPECT_THAT(image["libraries"].dump(), HasSubstr("/ld-linux-x86-64.so.2"));
  EXPECT_TRUE(image["inputs"].contains(std::string("add ") + added_program));
}

TEST_F(BuildImageExtras, ModulesComeWithTheirDependenciesInLoadOrder) {
  const nlohmann::json image = manifest(host());
  const std::string kernel = image["kernel"];
  const fs::path modules_dir = fs::path("/lib/modules") / kernel;
  const std::vector<std::string> listed = lines_of(sys::read_file(host() / "rootfs/etc/benchrun/modules"));
  EXPECT_EQ(image["modules"], nlohmann::json(listed));

  // The kernel's own dependency list, "kernel/x.ko: kernel/dep.ko ...", judges the order.
  std::map<std::string, std::vector<std::string>> depends_on;
  for (const std::string& line : lines_of(sys::read_file(modules_dir / "modules.dep"))) {
    const auto colon = line.find(':');
    std::istringstream deps(line.substr(colon + 1));
    auto& entry = depends_on[(modules_dir / line.substr(0, colon)).string()];
    for (std::string dep; deps >> dep;) entry.push_back((modules_dir / dep).string());
  }
  for (const char* wanted : {"/veth.ko", "/virtio_net.ko", "/virtio.ko", "/virtio_ring.ko", "/net_failover.ko"}) {
    EXPECT_EQ(
        std::count_if(listed.begin(), listed.end(), [&](const std::string& path) { return path.ends_with(wanted); }), 1)
        << wanted << " not listed once";
  }
  for (auto module = listed.begin(); module != listed.end(); ++module) {
    EXPECT_EQ(module->rfind(modules_dir.string() + "/", 0), 0U) << *module << " is not an absolute path";
    EXPECT_TRUE(fs::is_regular_file(host() / "rootfs" / module->substr(1))) << *module << " not in the rootfs";
    ASSERT_TRUE(depends_on.contains(*module)) << *module << " not in modules.dep";
    for (const std::string& dep : depends_on[*module]) {
      EXPECT_NE(std::find(listed.begin(), module, dep), module) << *module << " listed before its dependency " << dep;
    }
  }
}

TEST_F(BuildImageExtras, TheNestedImageIsThereWhole) {
  const fs::path nested = host() / "rootfs/images/default/rootfs";
  const fs::path original = out_->path() / "default/rootfs";
  for (const char* part : {"sbin/benchinit", "bench/bin/hello", "bench/bin/spin", "bin/busybox"}) {
    ASSERT_TRUE(fs::is_regular_file(nested / part)) << part;
    EXPECT_TRUE(sys::read_file(nested / part) == sys::read_file(original / part)) << part << " differs";
  }
  EXPECT_EQ(fs::read_symlink(nested / "bin/sh"), "/bin/busybox");
  EXPECT_EQ(manifest(host())["nested"], nlohmann::json::array({"default"}));
}

TEST_F(BuildImageExtras, TheDefaultImageHasNoneOfIt) {
  const nlohmann::json image = manifest(out_->path() / "default");
  for (const char* key : {"added", "libraries", "nested", "modules"}) EXPECT_FALSE(image.contains(key)) << key;
  EXPECT_FALSE(fs::exists(out_->path() / "default/rootfs/etc/benchrun"));
  EXPECT_FALSE(fs::exists(out_->path() / "default/rootfs/images"));
  EXPECT_FALSE(fs::exists(out_->path() / "default/rootfs/lib"));
}

TEST_F(BuildImageExtras, SameExtrasAreUpToDateAndOtherModulesRebuild) {
  CommandResult again = build_image(host_arguments());
  ASSERT_EQ(again.exit_code, 0) << again.out;
  EXPECT_THAT(again.out, HasSubstr("is up to date")) << again.out;

  CommandResult other = build_image(host_arguments("loop"));
  ASSERT_EQ(other.exit_code, 0) << other.out;
  EXPECT_THAT(other.out, HasSubstr("build-image.sh: built")) << other.out;
  const std::vector<std::string> listed = lines_of(sys::read_file(host() / "rootfs/etc/benchrun/modules"));
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_TRUE(listed[0].ends_with("/loop.ko")) << listed[0];

  CommandResult back = build_image(host_arguments());  // the others' state again, for the tests after this one
  ASSERT_EQ(back.exit_code, 0) << back.out;
}

// Each bad input: exit 1, one line saying what to do, no image made.
void expect_one_clear_line(const CommandResult& run, const std::string& start, const std::string& fix,
                           const fs::path& not_made) {
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_THAT(run.out, StartsWith("build-image.sh: " + start)) << run.out;
  EXPECT_THAT(run.out, HasSubstr(fix)) << run.out;
  EXPECT_EQ(std::count(run.out.begin(), run.out.end(), '\n'), 1) << run.out;
  EXPECT_FALSE(fs::exists(not_made)) << not_made << " was made";
}

TEST_F(BuildImageExtras, BadInputsAreOneLineNamingTheFix) {
  const std::string out = out_->path().string();
  const std::vector<std::string> common{"--name", "bad", "--workloads-dir", workloads_dir, "--out", out};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> arguments = common;
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return build_image(arguments);
  };
  const fs::path bad = out_->path() / "bad";
  expect_one_clear_line(with({"--add", "/usr/bin/no-such-program"}), "--add /usr/bin/no-such-program: no such file",
                        "install it", bad);
  expect_one_clear_line(with({"--add", "/usr/bin/stress-ng=relative/path"}), "--add /usr/bin/stress-ng=relative/path",
                        "absolute path", bad);
  expect_one_clear_line(with({"--modules", "no_such_module"}), "--modules no_such_module: not a module of kernel",
                        "modules.dep", bad);
  expect_one_clear_line(with({"--modules", "veth,../x"}), "--modules veth,../x", "not a module name", bad);
  expect_one_clear_line(with({"--nest", out + "/nowhere"}), "--nest " + out + "/nowhere: not a built image",
                        "build it first", bad);
  CommandResult missing_value = with({"--add"});
  EXPECT_EQ(missing_value.exit_code, 1);
  EXPECT_EQ(missing_value.out, "build-image.sh: --add needs a value\n");
}

}  // namespace
}  // namespace benchrun::testing
