// A child process held through its pidfd, on real processes: how it ended, waits that time out or are
// woken, and owners that never leave a zombie (or kill what is not theirs to kill).
#include "sys/child_process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "sys/error.hpp"
#include "sys/unique_fd.hpp"
#include "sys/wait.hpp"

namespace benchrun::sys {
namespace {

// A child that exits with `code` at once.
pid_t spawn_exiting(int code) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(code);
  return pid;
}

// A child that waits for a signal.
pid_t spawn_pausing() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    for (;;) ::pause();
  }
  return pid;
}

// Whether `pid` is a child of ours that nobody reaped yet (a zombie or still running).
bool is_unreaped_child(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0;
}

// Blocks until child `pid` exited, leaving it unreaped.
void wait_until_exited_unreaped(pid_t pid) {
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT), 0);
}

TEST(ChildProcess, ReportsTheExitCodeAndItsUsageAndReapsIt) {
  const MonotonicNs before = monotonic_now();
  ChildProcess child = ChildProcess::open(spawn_exiting(3));
  const pid_t pid = child.pid();
  const ChildProcess::ExitStatus& status = child.wait(kNoDeadline, -1);
  EXPECT_EQ(status.exit_code, 3);
  EXPECT_FALSE(status.signal.has_value());
  EXPECT_GE(status.at, before);
  EXPECT_TRUE(child.usage().has_value());
  EXPECT_FALSE(child.running());
  EXPECT_FALSE(is_unreaped_child(pid));
}

TEST(ChildProcess, ReportsTheSignalSentThroughItsPidfd) {
  ChildProcess child = ChildProcess::open(spawn_pausing());
  child.send_signal(SIGTERM);
  const ChildProcess::ExitStatus& status = child.wait(kNoDeadline, -1);
  EXPECT_EQ(status.signal, SIGTERM);
  EXPECT_FALSE(status.exit_code.has_value());
  EXPECT_NO_THROW(child.send_signal(SIGTERM)) << "a signal after the exit is no failure";
}

TEST(ChildProcess, AWaitThatReachesItsDeadlineTimesOutAndLeavesItRunning) {
  ChildProcess child = ChildProcess::open(spawn_pausing());
  try {
    child.wait(monotonic_now(), -1, "wait for the pauser");
    FAIL() << "no timeout";
  } catch (const Timeout& timeout) {
    EXPECT_STREQ(timeout.what(), "wait for the pauser: timed out");
  }
  EXPECT_TRUE(child.running());
  EXPECT_TRUE(is_unreaped_child(child.pid()));
}

TEST(ChildProcess, AReadableWakeFdInterruptsTheWait) {
  ChildProcess child = ChildProcess::open(spawn_pausing());
  const Pipe wake = make_pipe();
  ASSERT_EQ(::write(wake.write_end.get(), "x", 1), 1);
  try {
    child.wait(kNoDeadline, wake.read_end.get(), "wait for the pauser");
    FAIL() << "not interrupted";
  } catch (const Interrupted& interrupted) {
    EXPECT_STREQ(interrupted.what(), "wait for the pauser: interrupted");
  }
  EXPECT_TRUE(child.running());
}

TEST(ChildProcess, ItsDestructorKillsAndReapsAnOwnedChild) {
  pid_t pid = -1;
  {
    const ChildProcess child = ChildProcess::open(spawn_pausing());
    pid = child.pid();
    ASSERT_TRUE(is_unreaped_child(pid));
  }
  EXPECT_FALSE(is_unreaped_child(pid)) << "killed and reaped: no zombie left";
  EXPECT_FALSE(std::filesystem::exists("/proc/" + std::to_string(pid)));
}

TEST(ChildProcess, AMoveAssignmentKillsAndReapsTheChildItHeld) {
  ChildProcess child = ChildProcess::open(spawn_pausing());
  const pid_t first = child.pid();
  child = ChildProcess::open(spawn_exiting(0));
  EXPECT_FALSE(is_unreaped_child(first));
  EXPECT_EQ(child.wait(kNoDeadline, -1).exit_code, 0);
}

TEST(ChildProcess, AWatchedChildIsLeftRunningByItsDestructor) {
  const pid_t pid = spawn_pausing();
  { const ChildProcess watched = ChildProcess::open(pid, ChildProcess::Ownership::watched); }
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT), 0);
  EXPECT_EQ(info.si_pid, 0) << "still running";
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

TEST(ChildProcess, AWatchedChildThatAlreadyExitedIsReapedByItsDestructor) {
  const pid_t pid = spawn_exiting(0);
  {
    const ChildProcess watched = ChildProcess::open(pid, ChildProcess::Ownership::watched);
    wait_until_exited_unreaped(pid);
  }
  EXPECT_FALSE(is_unreaped_child(pid)) << "no zombie left";
}

TEST(ChildProcess, TheExitOfAProcessThatIsNotOurChildIsSeenWithoutAStatus) {
  // A grandchild: its parent, our child, reaps it. It runs until we close its pipe.
  Pipe hold = make_pipe();
  const Pipe report = make_pipe();
  const pid_t middle = ::fork();
  if (middle == 0) {
    hold.write_end.reset();  // so the grandchild's read ends when ours closes
    const pid_t grandchild = ::fork();
    if (grandchild == 0) {
      char byte = 0;
      [[maybe_unused]] const auto got = ::read(hold.read_end.get(), &byte, 1);
      ::_exit(0);
    }
    [[maybe_unused]] const auto sent = ::write(report.write_end.get(), &grandchild, sizeof grandchild);
    ::waitpid(grandchild, nullptr, 0);
    ::_exit(0);
  }
  pid_t grandchild = -1;
  ASSERT_EQ(::read(report.read_end.get(), &grandchild, sizeof grandchild), static_cast<ssize_t>(sizeof grandchild));
  ChildProcess watched = ChildProcess::open(grandchild, ChildProcess::Ownership::watched);
  hold.write_end.reset();  // the last write end: the grandchild reads end of file and exits
  const ChildProcess::ExitStatus& status = watched.wait(kNoDeadline, -1);
  EXPECT_FALSE(status.exit_code.has_value());
  EXPECT_FALSE(status.signal.has_value());
  EXPECT_GT(status.at, 0);
  EXPECT_FALSE(watched.usage().has_value());
  EXPECT_EQ(::waitpid(middle, nullptr, 0), middle);
}

TEST(ChildProcess, OpeningAProcessThatIsGoneFailsWithEsrch) {
  const pid_t pid = spawn_exiting(0);
  ::waitpid(pid, nullptr, 0);
  try {
    ChildProcess::open(pid);
    FAIL() << "opened a reaped pid";
  } catch (const SystemError& error) {
    EXPECT_EQ(error.code(), ESRCH);
  }
}

TEST(ChildProcess, WaitingWithoutAProcessIsAnError) {
  ChildProcess empty;
  EXPECT_THROW(empty.wait(kNoDeadline, -1), Error);
}

}  // namespace
}  // namespace benchrun::sys
