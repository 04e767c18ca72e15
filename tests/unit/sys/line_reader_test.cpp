// Lines read from a real pipe: stamped when their last byte arrived, free of escapes, and waits that end
// at a deadline or on a wake fd with messages that name them.
#include "sys/line_reader.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "sys/file_io.hpp"
#include "sys/unique_fd.hpp"

namespace benchrun::sys {
namespace {

void write_text(const UniqueFd& fd, std::string_view text) { write_all(fd.get(), text, "test pipe"); }

TEST(LineReader, StampsALineWithTheArrivalOfItsLastByteWithoutEscapes) {
  Pipe pipe = make_pipe();
  LineReader reader(std::move(pipe.read_end));
  write_text(pipe.write_end, "\x1b[2JBENCHRUN RE");
  EXPECT_THROW(reader.next_line(monotonic_now(), -1), Timeout) << "no complete line yet";
  const MonotonicNs before_last_byte = monotonic_now();
  write_text(pipe.write_end, "ADY\r\n");
  const auto line = reader.next_line(kNoDeadline, -1);
  const MonotonicNs after = monotonic_now();
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->text, "BENCHRUN READY");
  EXPECT_GE(line->at, before_last_byte);
  EXPECT_LE(line->at, after);
  ASSERT_TRUE(reader.first_byte_at().has_value());
  EXPECT_LT(*reader.first_byte_at(), before_last_byte) << "the first byte came with the first write";
}

TEST(LineReader, GivesTheUnfinishedLastLineAtEndOfFileThenNothing) {
  Pipe pipe = make_pipe();
  LineReader reader(std::move(pipe.read_end));
  EXPECT_FALSE(reader.first_byte_at().has_value());
  write_text(pipe.write_end, "one\nreboot: Power down");
  pipe.write_end.reset();
  EXPECT_EQ(reader.next_line(kNoDeadline, -1)->text, "one");
  EXPECT_EQ(reader.next_line(kNoDeadline, -1)->text, "reboot: Power down");
  EXPECT_TRUE(reader.closed());
  EXPECT_FALSE(reader.next_line(kNoDeadline, -1).has_value());
}

TEST(LineReader, ADeadlineThatPassesThrowsTimeoutNamingTheWait) {
  Pipe pipe = make_pipe();
  LineReader reader(std::move(pipe.read_end));
  try {
    reader.next_line(monotonic_now(), -1);
    FAIL() << "no timeout";
  } catch (const Timeout& timeout) {
    EXPECT_STREQ(timeout.what(), "console: no complete line before the deadline");
  }
}

TEST(LineReader, AReadableWakeFdInterruptsAndIsNotRead) {
  Pipe pipe = make_pipe();
  const Pipe wake = make_pipe();
  LineReader reader(std::move(pipe.read_end));
  write_text(wake.write_end, "x");
  try {
    reader.next_line(kNoDeadline, wake.read_end.get());
    FAIL() << "not interrupted";
  } catch (const Interrupted& interrupted) {
    EXPECT_STREQ(interrupted.what(), "console: interrupted");
  }
  EXPECT_THROW(reader.next_line(kNoDeadline, wake.read_end.get()), Interrupted) << "the wake fd stays readable";
}

TEST(LineReader, ALineThatArrivedWithAStopIsStillDelivered) {
  Pipe pipe = make_pipe();
  const Pipe wake = make_pipe();
  LineReader reader(std::move(pipe.read_end));
  write_text(pipe.write_end, "BENCHRUN RESULT {}\n");
  write_text(wake.write_end, "x");
  EXPECT_EQ(reader.next_line(kNoDeadline, wake.read_end.get())->text, "BENCHRUN RESULT {}");
}

TEST(LineReader, KeepsOnlyTheLastBytesOfItsTailFd) {
  Pipe lines = make_pipe();
  Pipe tail = make_pipe();
  LineReader reader(std::move(lines.read_end), std::move(tail.read_end), 8);
  write_text(tail.write_end, "error: 0123456789abc\n");
  EXPECT_EQ(reader.tail(), "6789abc\n");
}

TEST(LineReader, DrainsTheTailFdWhileItWaitsSoTheWriterNeverBlocksOnIt) {
  // A child writes more to its stderr than a pipe holds, then its line: without the drain it would block
  // on the full stderr pipe and the line would never come.
  Pipe lines = make_pipe();
  Pipe tail = make_pipe();
  const pid_t child = ::fork();
  if (child == 0) {
    const std::string flood(256 * 1024, 'e');
    write_all(tail.write_end.get(), flood + "last words", "stderr");
    write_all(lines.write_end.get(), "done\n", "stdout");
    ::_exit(0);
  }
  lines.write_end.reset();
  tail.write_end.reset();
  LineReader reader(std::move(lines.read_end), std::move(tail.read_end), 16);
  EXPECT_EQ(reader.next_line(kNoDeadline, -1)->text, "done");
  ASSERT_EQ(::waitpid(child, nullptr, 0), child);
  EXPECT_EQ(reader.tail(), "eeeeeelast words");
}

}  // namespace
}  // namespace benchrun::sys
