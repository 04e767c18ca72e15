// Console bytes become lines stamped with their arrival time, free of CR and terminal escapes.
#include <deque>

#include <gtest/gtest.h>

#include "sys/console_lines.hpp"

namespace benchrun::sys {
namespace {

TEST(ConsoleLineSplitter, StampsEachLineWithTheArrivalOfItsLastByte) {
  sys::ConsoleLineSplitter splitter;
  std::deque<sys::ConsoleLine> lines;
  splitter.feed("BENCHRUN RE", 100, lines);
  EXPECT_TRUE(lines.empty());
  splitter.feed("ADY\r\nhel", 200, lines);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].text, "BENCHRUN READY");
  EXPECT_EQ(lines[0].at, 200);
  splitter.feed("lo\n", 300, lines);
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[1].text, "hello");
  EXPECT_EQ(lines[1].at, 300);
}

TEST(ConsoleLineSplitter, DropsSeaBiosTerminalEscapes) {
  sys::ConsoleLineSplitter splitter;
  std::deque<sys::ConsoleLine> lines;
  splitter.feed(
      "\x1b"
      "c\x1b[?7l\x1b[2JBENCHRUN READY\n",
      5, lines);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].text, "BENCHRUN READY");
}

TEST(ConsoleLineSplitter, EscapeSplitAcrossReadsIsStillDropped) {
  sys::ConsoleLineSplitter splitter;
  std::deque<sys::ConsoleLine> lines;
  splitter.feed("a\x1b[", 1, lines);
  splitter.feed("2Jb\n", 2, lines);
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0].text, "ab");
}

TEST(ConsoleLineSplitter, FlushGivesTheUnfinishedLastLine) {
  sys::ConsoleLineSplitter splitter;
  std::deque<sys::ConsoleLine> lines;
  splitter.feed("reboot: Power down", 7, lines);
  const auto last = splitter.flush(9);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->text, "reboot: Power down");
  EXPECT_EQ(last->at, 9);
  EXPECT_FALSE(splitter.flush(10).has_value());
}

}  // namespace
}  // namespace benchrun::sys
