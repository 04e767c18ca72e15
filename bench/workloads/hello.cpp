// hello: the smallest workload. Starts, says so in one short line, exits 0: what is measured around it is
// the cost of getting a process running and gone, nothing else.
#include <unistd.h>

int main() {
  constexpr char line[] = "hello from benchrun\n";
  // Exit status stays 0 even if nobody reads the line: the workload's job is to exit at once.
  [[maybe_unused]] ssize_t written = write(STDOUT_FILENO, line, sizeof line - 1);
  return 0;
}
