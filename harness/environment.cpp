#include "harness/environment.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <boost/process.hpp>
#include <sstream>
#include <thread>

#include "harness/version.hpp"
#include "runtime/cgroup/mode.hpp"
#include "sys/file_io.hpp"

namespace benchrun::harness {
namespace {

namespace bp = boost::process;

// PATH lookup without boost::filesystem (which Boost.Process's search_path would pull in as a library).
std::string find_in_path(const std::string& program) {
  const char* path_env = std::getenv("PATH");
  std::string_view dirs = path_env != nullptr ? path_env : "/usr/local/bin:/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const auto candidate = std::filesystem::path(dirs.substr(0, colon)) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    dirs.remove_prefix(colon == std::string_view::npos ? dirs.size() : colon + 1);
  }
  return {};
}

std::string first_line_of_command(const std::string& program, const std::vector<std::string>& args) {
  const std::string path = find_in_path(program);
  if (path.empty()) return {};
  bp::ipstream output;
  std::error_code ignored;
  bp::child child(path, bp::args(args), bp::std_out > output, bp::std_err > bp::null, bp::std_in < bp::null, ignored);
  if (ignored) return {};
  std::string line;
  std::getline(output, line);
  std::string rest;
  while (std::getline(output, rest)) {
  }
  child.wait(ignored);
  if (ignored || child.exit_code() != 0) return {};
  return line;
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
