#include "tests/support/run_command.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iomanip>
#include <system_error>

extern char** environ;

namespace benchrun::testing {
namespace {

// Closes a pipe end once, whichever way the function leaves.
struct PipeEnd {
  int fd = -1;
  ~PipeEnd() {
    if (fd >= 0) ::close(fd);
  }
  void close() {
    ::close(fd);
    fd = -1;
  }
};

}  // namespace

CommandResult run_command(const std::vector<std::string>& argv) {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  PipeEnd read_end{ends[0]};
  PipeEnd write_end{ends[1]};

  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_adddup2(&actions, write_end.fd, STDOUT_FILENO);
  ::posix_spawn_file_actions_adddup2(&actions, write_end.fd, STDERR_FILENO);
  std::vector<std::string> words = argv;
  std::vector<char*> c_argv;
  for (auto& word : words) c_argv.push_back(word.data());
  c_argv.push_back(nullptr);
  pid_t child = -1;
  const int spawned = ::posix_spawnp(&child, c_argv[0], &actions, nullptr, c_argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return CommandResult{127, argv.at(0) + ": " + std::strerror(spawned) + "\n", ""};
  write_end.close();

  CommandResult result;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(read_end.fd, buffer, sizeof buffer);
    if (got > 0)
      result.out.append(buffer, static_cast<std::size_t>(got));
    else if (got == 0 || errno != EINTR)
      break;
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

void PrintTo(const CommandResult& result, std::ostream* out) {
  *out << "{exit " << result.exit_code << ", out " << std::quoted(result.out) << ", err " << std::quoted(result.err)
       << "}";
}

}  // namespace benchrun::testing
