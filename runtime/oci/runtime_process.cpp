#include "runtime/oci/runtime_process.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "sys/enum_names.hpp"
#include "sys/error.hpp"
#include "sys/retry.hpp"
#include "sys/unique_fd.hpp"
#include "sys/wait.hpp"

namespace benchrun::runtime::oci {
namespace {

constexpr sys::EnumNames<Runtime, 2> runtime_names{{{Runtime::crun, "crun"}, {Runtime::runc, "runc"}}};

constexpr int child_setup_failed = 125;

// In the forked child: says what failed on stderr and ends. Only async-signal-safe calls from here on.
[[noreturn]] void fail_child(const char* what, const char* path) noexcept {
  std::array<char, 512> message{};
  const int length = std::snprintf(message.data(), message.size(), "benchrun: oci launcher: %s %s: %s\n", what, path,
                                   strerrordesc_np(errno));
  if (length > 0) [[maybe_unused]]
    const auto written = ::write(STDERR_FILENO, message.data(), static_cast<std::size_t>(length));
  ::_exit(child_setup_failed);
}

void redirect(int from_fd, int to_fd) noexcept {
  if (from_fd >= 0) {
    if (::dup2(from_fd, to_fd) < 0) fail_child("dup2", "");
    return;
  }
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0 || ::dup3(null, to_fd, 0) < 0) fail_child("open", "/dev/null");
}

void mount_layer(const kernel::RootfsPlan& layer, const std::optional<unsigned>& owner) noexcept {
  if (::mount("tmpfs", layer.scratch_dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") != 0)
    fail_child("mount tmpfs on", layer.scratch_dir.c_str());
  for (const std::string* dir : {&layer.upper_dir, &layer.work_dir, &layer.merged_dir}) {
    if (::mkdir(dir->c_str(), 0755) != 0) fail_child("mkdir", dir->c_str());
  }
  if (owner && ::chown(layer.upper_dir.c_str(), *owner, *owner) != 0) fail_child("chown", layer.upper_dir.c_str());
  if (::mount("overlay", layer.merged_dir.c_str(), "overlay", MS_NODEV, layer.overlay_options.c_str()) != 0)
    fail_child("mount overlay on", layer.merged_dir.c_str());
}

[[noreturn]] void exec_in_view(const RuntimeSetup& setup, const RuntimeCommand& command,
                               const std::vector<char*>& argv) noexcept {
  redirect(command.stdout_fd, STDOUT_FILENO);
  redirect(command.stderr_fd, STDERR_FILENO);
  redirect(-1, STDIN_FILENO);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE}) ::signal(sig, SIG_DFL);
  if (setup.hide_unified || command.layer != nullptr) {
    if (::unshare(CLONE_NEWNS) != 0) fail_child("unshare", "mount namespace");
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail_child("make private", "/");
  }
  if (setup.hide_unified && ::mount("benchrun-hide-unified", "/sys/fs/cgroup/unified", "tmpfs",
                                    MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555") != 0) {
    fail_child("mount tmpfs on", "/sys/fs/cgroup/unified");
  }
  if (command.layer != nullptr) mount_layer(*command.layer, command.layer_owner);
  ::execvp(argv[0], argv.data());
  fail_child("exec", argv[0]);
}

std::string read_to_end(int fd) {
  std::string text;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t got = sys::retry_eintr([&] { return ::read(fd, buffer.data(), buffer.size()); });
    if (got < 0) sys::throw_errno("read runtime output");
    if (got == 0) return text;
    text.append(buffer.data(), static_cast<std::size_t>(got));
  }
}

}  // namespace

std::string_view to_string(Runtime runtime) { return sys::name_of(runtime_names, runtime); }

Runtime runtime_named(std::string_view name) {
  if (const auto runtime = sys::value_of(runtime_names, name)) return *runtime;
  throw sys::Error(fmt::format("unknown OCI runtime '{}' (crun or runc)", name));
}

std::filesystem::path RuntimeSetup::state_root() const {
  return std::filesystem::path("/run") / std::string(to_string(runtime));
}

RuntimeSetup runtime_setup_for(Runtime runtime, CgroupMode mode) noexcept {
  return RuntimeSetup{runtime, runtime == Runtime::crun && mode == CgroupMode::hybrid};
}

sys::ChildProcess spawn_runtime(const RuntimeSetup& setup, const RuntimeCommand& command) {
  std::vector<std::string> words{std::string(to_string(setup.runtime))};
  words.insert(words.end(), command.args.begin(), command.args.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  // fork, not posix_spawn: the mount namespace and its mounts come between fork and exec.
  const pid_t pid = ::fork();
  if (pid < 0) sys::throw_errno(fmt::format("fork for {}", words[0]));
  if (pid == 0) exec_in_view(setup, command, argv);
  return sys::ChildProcess::open(pid);
}

std::string run_runtime(const RuntimeSetup& setup, const std::vector<std::string>& args, sys::MonotonicNs deadline) {
  const std::string what = fmt::format("{} {}", to_string(setup.runtime), fmt::join(args, " "));
  return sys::with_context(what, [&] {
    sys::Pipe out = sys::make_pipe();
    sys::Pipe err = sys::make_pipe();
    sys::ChildProcess process =
        spawn_runtime(setup, RuntimeCommand{args, out.write_end.get(), err.write_end.get(), nullptr, {}});
    out.write_end.reset();
    err.write_end.reset();
    // The commands used here (list, delete) print little: both pipes fit whole, so reading one to its end
    // and then the other cannot stall the runtime.
    std::string output = read_to_end(out.read_end.get());
    std::string errors = read_to_end(err.read_end.get());
    const auto& status = process.wait(deadline, -1);
    if (status.exit_code != 0) {
      while (!errors.empty() && errors.back() == '\n') errors.pop_back();
      throw sys::Error(
          fmt::format("exit {}: {}", status.exit_code ? *status.exit_code : 128 + status.signal.value_or(0), errors));
    }
    return output;
  });
}

}  // namespace benchrun::runtime::oci
