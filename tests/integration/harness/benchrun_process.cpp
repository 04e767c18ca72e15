#include "benchrun_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <boost/process.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "sys/file_io.hpp"
#include "tests/support/json_schema.hpp"

namespace benchrun::testing {

namespace bp = boost::process;

std::filesystem::path benchrun_executable() { return std::filesystem::path(BENCHRUN_BINARY_DIR) / "harness/benchrun"; }

std::string read_text(const std::filesystem::path& path) { return sys::read_file_if_present(path).value_or(""); }

CommandResult run_benchrun(const std::vector<std::string>& args, const std::string& stdin_text) {
  TempDir capture;
  const auto in_path = capture.path() / "stdin";
  const auto out_path = capture.path() / "stdout";
  const auto err_path = capture.path() / "stderr";
  std::ofstream(in_path) << stdin_text;
  bp::child child(benchrun_executable().string(), bp::args(args), bp::std_out > out_path.string(),
                  bp::std_err > err_path.string(), bp::std_in < in_path.string());
  child.wait();
  return CommandResult{child.exit_code(), read_text(out_path), read_text(err_path)};
}

std::string refusal_of(const std::vector<std::string>& args) {
  const auto result = run_benchrun(args);
  EXPECT_EQ(result.exit_code, 2) << result.out << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  return result.err;
}

CommandResult run_benchrun_combined(const std::vector<std::string>& args) {
  TempDir capture;
  const auto out_path = capture.path() / "output";
  bp::child child(benchrun_executable().string(), bp::args(args), (bp::std_out & bp::std_err) > out_path.string(),
                  bp::std_in < bp::null);
  child.wait();
  return CommandResult{child.exit_code(), read_text(out_path), ""};
}

CommandResult run_benchrun_on_terminal(const std::vector<std::string>& args) {
  const int terminal = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (terminal < 0 || ::grantpt(terminal) != 0 || ::unlockpt(terminal) != 0) throw std::runtime_error("posix_openpt");
  const std::string terminal_path = ::ptsname(terminal);
  // Held open here too, so reading the terminal never sees "no writer left" (EIO) before the child opened it.
  const int held_side = ::open(terminal_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (held_side < 0) throw std::runtime_error("open " + terminal_path);
  std::vector<std::string> argv{benchrun_executable().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> c_argv;
  for (auto& arg : argv) c_argv.push_back(arg.data());
  c_argv.push_back(nullptr);
  const pid_t child = ::fork();
  if (child == 0) {
    // A session of its own, with the terminal as its controlling terminal, as a shell would start it.
    const int side = ::setsid() < 0 ? -1 : ::open(terminal_path.c_str(), O_RDWR);
    if (side < 0 || ::dup2(side, 0) < 0 || ::dup2(side, 1) < 0 || ::dup2(side, 2) < 0) ::_exit(126);
    ::close(side);
    ::execv(c_argv[0], c_argv.data());
    ::_exit(127);
  }
  // Read as it comes (a full terminal buffer would block the child) until the child is gone and the
  // terminal drained. benchrun waits for its whole instance, so nothing writes after it exits.
  std::string received;
  int status = 0;
  bool exited = false;
  for (;;) {
    pollfd readable{terminal, POLLIN, 0};
    if (::poll(&readable, 1, exited ? 0 : 20) > 0) {
      char buffer[4096];
      const ssize_t got = ::read(terminal, buffer, sizeof buffer);
      if (got > 0) {
        received.append(buffer, static_cast<std::size_t>(got));
        continue;
      }
    }
    if (exited) break;
    exited = ::waitpid(child, &status, WNOHANG) == child;
  }
  ::close(held_side);
  ::close(terminal);
  return CommandResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, received, ""};
}

std::string benchrun_leftovers() {
  std::string found;
  std::error_code ignored;
  for (const auto& hierarchy : std::filesystem::directory_iterator("/sys/fs/cgroup", ignored)) {
    const auto parent = hierarchy.path() / "benchrun";
    for (const auto& entry : std::filesystem::directory_iterator(parent, ignored)) {
      if (entry.is_directory()) found += "cgroup " + entry.path().string() + "\n";
    }
  }
  // The peers' instances (oci:crun, oci:runc): cgroups named after the instance at each hierarchy's root,
  // and the runtimes' containers.
  for (const auto& hierarchy : std::filesystem::directory_iterator("/sys/fs/cgroup", ignored)) {
    if (hierarchy.path().filename().string().starts_with("benchrun-")) {
      found += "peer cgroup " + hierarchy.path().string() + "\n";
    }
    for (const auto& entry : std::filesystem::directory_iterator(hierarchy.path(), ignored)) {
      if (entry.path().filename().string().starts_with("benchrun-") && entry.is_directory()) {
        found += "peer cgroup " + entry.path().string() + "\n";
      }
    }
  }
  for (const char* runtime_root : {"/run/crun", "/run/runc"}) {
    for (const auto& entry : std::filesystem::directory_iterator(runtime_root, ignored)) {
      if (entry.path().filename().string().starts_with("benchrun-")) {
        found += "peer container " + entry.path().string() + "\n";
      }
    }
  }
  for (const auto& entry : std::filesystem::directory_iterator("/run/benchrun", ignored)) {
    found += "state " + entry.path().string() + "\n";
  }
  for (const auto& entry : std::filesystem::directory_iterator("/var/lib/benchrun/runs", ignored)) {
    found += "vm run state " + entry.path().string() + "\n";
  }
  for (const auto& process : std::filesystem::directory_iterator("/proc", ignored)) {
    std::string command_line = read_text(process.path() / "cmdline");
    std::replace(command_line.begin(), command_line.end(), '\0', ' ');
    if (command_line.starts_with("/usr/bin/qemu-system") && command_line.find("guest=benchrun-") != std::string::npos) {
      found += "qemu " + process.path().filename().string() + "\n";
    }
  }
  std::istringstream mounts(read_text("/proc/self/mounts"));
  for (std::string line; std::getline(mounts, line);) {
    if (line.find("benchrun") != std::string::npos) found += "mount " + line + "\n";
  }
  // The limits suite's loop devices (runtime/loop_device.hpp), by their backing file.
  for (const auto& device : std::filesystem::directory_iterator("/sys/block", ignored)) {
    std::error_code missing;
    if (!std::filesystem::exists(device.path() / "loop" / "backing_file", missing)) continue;
    const std::string backing = read_text(device.path() / "loop" / "backing_file");
    if (backing.find("benchrun-loop-") != std::string::npos)
      found += "loop " + device.path().filename().string() + " " + backing;
  }
  return found;
}

std::string validate_against_schema(const std::filesystem::path& report) {
  return schema_complaint(report, std::filesystem::path(BENCHRUN_SOURCE_DIR) / "reports/schema/report.schema.json");
}

void start_and_kill(const std::vector<std::string>& args, const std::string& kind, std::chrono::milliseconds patience) {
  bp::child child(benchrun_executable().string(), bp::args(args), bp::std_out > bp::null, bp::std_err > bp::null);
  for (int waited_ms = 0; benchrun_leftovers().find(kind) == std::string::npos; waited_ms += 20) {
    ASSERT_LT(waited_ms, patience.count()) << "no " << kind << "appeared";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(child.id(), SIGKILL);
  child.wait();
  ASSERT_NE(benchrun_leftovers(), "") << "a SIGKILLed benchrun should have left its instance behind";
}

}  // namespace benchrun::testing
