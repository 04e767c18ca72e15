#include "benchrun_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <boost/process.hpp>
#include <fstream>
#include <sstream>
#include <thread>

namespace benchrun::testing {

namespace bp = boost::process;

std::filesystem::path benchrun_executable() { return std::filesystem::path(BENCHRUN_BINARY_DIR) / "harness/benchrun"; }

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

CommandResult run_benchrun(const std::vector<std::string>& args) {
  TempDir capture;
  const auto out_path = capture.path() / "stdout";
  const auto err_path = capture.path() / "stderr";
  bp::child child(benchrun_executable().string(), bp::args(args), bp::std_out > out_path.string(),
                  bp::std_err > err_path.string(), bp::std_in < bp::null);
  child.wait();
  return CommandResult{child.exit_code(), read_text(out_path), read_text(err_path)};
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "benchrun-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
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
  for (const auto& entry : std::filesystem::directory_iterator("/run/benchrun", ignored)) {
    found += "state " + entry.path().string() + "\n";
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
  return found;
}

std::string validate_against_schema(const std::filesystem::path& report) {
  const auto schema = std::filesystem::path(BENCHRUN_SOURCE_DIR) / "reports/schema/report.schema.json";
  TempDir capture;
  const auto err_path = capture.path() / "stderr";
  bp::child validator(std::string("/usr/bin/python3"), "-c",
                      "import json, sys, jsonschema\n"
                      "jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))\n",
                      schema.string(), report.string(), bp::std_out > bp::null, bp::std_err > err_path.string());
  validator.wait();
  return validator.exit_code() == 0 ? "" : read_text(err_path) + " (needs python3-jsonschema: scripts/setup.sh)";
}

void start_and_kill(const std::vector<std::string>& args, const std::string& kind) {
  bp::child child(benchrun_executable().string(), bp::args(args), bp::std_out > bp::null, bp::std_err > bp::null);
  for (int waited_ms = 0; benchrun_leftovers().find(kind) == std::string::npos; waited_ms += 20) {
    ASSERT_LT(waited_ms, 30'000) << "no instance appeared";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(child.id(), SIGKILL);
  child.wait();
  ASSERT_NE(benchrun_leftovers(), "") << "a SIGKILLed benchrun should have left its instance behind";
}

}  // namespace benchrun::testing
