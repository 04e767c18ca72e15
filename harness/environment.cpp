#include "harness/environment.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <sstream>
#include <thread>

#include "harness/version.hpp"
#include "runtime/cgroup/mode.hpp"
#include "sys/file_io.hpp"
#include "sys/retry.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::harness {
namespace {

// The first line `program args...` prints, "" when it cannot be started or does not exit 0. posix_spawnp
// looks the program up in PATH; stdin and stderr are /dev/null, and the child gets an empty signal mask
// (benchrun blocks its stop signals).
std::string first_line_of_command(const std::string& program, const std::vector<std::string>& args) {
  std::vector<std::string> words{program};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  sys::Pipe out = sys::make_pipe();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int spawned = ::posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  out.write_end.reset();
  if (spawned != 0) return {};

  // Read to the end, so the program is never stopped by a full pipe or SIGPIPE.
  std::string output;
  std::array<char, 4096> buffer{};
  for (;;) {
    const ssize_t got = sys::retry_eintr([&] { return ::read(out.read_end.get(), buffer.data(), buffer.size()); });
    if (got <= 0) break;
    output.append(buffer.data(), static_cast<std::size_t>(got));
  }
  int status = 0;
  if (sys::retry_eintr([&] { return ::waitpid(pid, &status, 0); }) != pid) return {};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  return output.substr(0, output.find('\n'));
}

std::string value_after_colon(const std::string& path, const std::string& key) {
  std::istringstream file(sys::read_file_if_present(path).value_or(""));
  std::string line;
  while (std::getline(file, line)) {
    if (line.starts_with(key)) {
      const auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      auto value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(" \t"));
      return value;
    }
  }
  return {};
}

std::string os_pretty_name() {
  std::istringstream file(sys::read_file_if_present("/etc/os-release").value_or(""));
  std::string line;
  while (std::getline(file, line)) {
    if (line.starts_with("PRETTY_NAME=")) {
      auto value = line.substr(12);
      if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
      return value;
    }
  }
  return "unknown";
}

}  // namespace

std::optional<std::string> tool_version(const std::string& program) {
  auto line = first_line_of_command(program, {"--version"});
  if (line.empty()) return std::nullopt;
  return line;
}

reports::Environment probe_environment() {
  reports::Environment env;
  utsname names{};
  if (uname(&names) == 0) {
    env.hostname = names.nodename;
    env.kernel = std::string(names.sysname) + " " + names.release + " " + names.machine;
  }
  env.os = os_pretty_name();
  env.cpu_model = value_after_colon("/proc/cpuinfo", "model name");
  env.cores = std::thread::hardware_concurrency();
  const auto mem_total_kb = value_after_colon("/proc/meminfo", "MemTotal");
  if (!mem_total_kb.empty()) env.memory_bytes = std::stoull(mem_total_kb) * 1024;
  env.cgroup_version = runtime::to_string(runtime::detect_cgroup_mode());
  env.tools = {tool_version("virsh"), tool_version("qemu-system-x86_64"), tool_version("crun"), tool_version("runc")};
  env.benchrun_version = version;
  env.git_commit = first_line_of_command("git", {"-C", BENCHRUN_SOURCE_DIR, "rev-parse", "--short=12", "HEAD"});
  if (env.git_commit.empty()) env.git_commit = "unknown";
  return env;
}

}  // namespace benchrun::harness
